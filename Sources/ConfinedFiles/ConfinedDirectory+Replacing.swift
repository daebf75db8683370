import CConfinedFiles
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension ConfinedDirectory {
    /// Replaces everything in the root with the archive at `hostPath` (a file outside the root, such as a
    /// backup): the archive is checked whole and unpacked into a staging folder first, with the same rules
    /// as ``extract(_:into:limits:)``, so a damaged or hostile archive, or a full disk, changes nothing.
    /// Only then does what is there move aside and the staging folder's entries take its place — renames
    /// on one file system — and what was there is deleted.
    @discardableResult
    public func replaceContents(withArchiveAt hostPath: String, shown: String, limits: ExtractionLimits) throws -> ArchiveSummary {
        let source = ArchiveLocation.onHost(hostPath, shown: shown)
        let plan = try planExtraction(of: source, limits: limits)
        let suffix = String(UInt64.random(in: 0...UInt64.max))
        let staging = ConfinedPath(components: [Self.stagingPrefix + suffix])
        do {
            close(try makeFolders(staging, shown: shown))
            try unpack(source, into: staging, limits: limits)
        } catch {
            try? delete(staging.relative)
            throw error
        }
        do {
            try swap(in: staging, suffix: suffix, shown: shown)
        } catch {
            try? delete(staging.relative)
            throw error
        }
        try? delete(Self.replacedPrefix + suffix)
        try? delete(staging.relative)
        return plan
    }

    /// Unpacks the archive at `hostPath` (a file outside the root, such as a backup) straight into the root,
    /// a folder made empty for it: checked whole first, as ``extract(_:into:limits:)`` does, so a refused
    /// archive writes nothing. A failure part-way (a damaged archive, a full disk) leaves the root partly
    /// filled, for whoever made it to discard.
    @discardableResult
    public func fill(withArchiveAt hostPath: String, shown: String, limits: ExtractionLimits) throws -> ArchiveSummary {
        let source = ArchiveLocation.onHost(hostPath, shown: shown)
        let plan = try planExtraction(of: source, limits: limits)
        try unpack(source, into: .root, limits: limits)
        return plan
    }

    /// Restores one entry of the archive at `hostPath` — a file, or a folder with everything in it — to
    /// `path`, replacing what is there and leaving every other file as it is. Unpacked and checked in a
    /// staging folder first, as ``replaceContents(withArchiveAt:shown:limits:)`` does; an archive without
    /// the entry is ``ConfinedFileError/notFound(_:)``.
    @discardableResult
    public func restore(_ path: String, fromArchiveAt hostPath: String, shown: String, limits: ExtractionLimits) throws -> ArchiveSummary {
        let selected = try ConfinedPath(path)
        guard !selected.isRoot else { return try replaceContents(withArchiveAt: hostPath, shown: shown, limits: limits) }
        let source = ArchiveLocation.onHost(hostPath, shown: shown)
        let plan = try planExtraction(of: source, limits: limits, selecting: selected)
        guard plan.entries > 0 else { throw ConfinedFileError.notFound("\(path) in \(shown)") }
        let staging = ConfinedPath(components: [Self.stagingPrefix + String(UInt64.random(in: 0...UInt64.max))])
        defer { try? delete(staging.relative) }
        close(try makeFolders(staging, shown: shown))
        try unpack(source, into: staging, limits: limits, selecting: selected)
        let from = try resolve(ConfinedPath(components: staging.components + selected.parent.components), flags: O_RDONLY | O_DIRECTORY, shown: path)
        defer { close(from) }
        let to = try makeFolders(selected.parent, shown: path)
        defer { close(to) }
        var existing = stat()
        if fstatat(to, selected.name, &existing, AT_SYMLINK_NOFOLLOW) == 0 { try Self.removeEntry(selected.name, in: to) }
        guard renameat(from, selected.name, to, selected.name) == 0 else { throw ConfinedFileError.from(errno, "restore", path) }
        return plan
    }

    /// Moves the root's entries into `.berth-previous-<suffix>` and the entries of `staging` into the root.
    /// Should a rename fail halfway, what moved is moved back, so the root holds the old entries again.
    /// Once every old entry is aside, the folder is renamed `.berth-replaced-<suffix>`: should the process
    /// end mid-way, ``finishInterruptedReplacement()`` knows from the name whether to move the old entries
    /// back (all of them are in the folder or the root) or the new ones in (all of them are in the root or
    /// in `staging`).
    private func swap(in staging: ConfinedPath, suffix: String, shown: String) throws {
        let root = try resolve(ConfinedPath(components: []), flags: O_RDONLY | O_DIRECTORY, shown: shown)
        defer { close(root) }
        let previous = Self.previousPrefix + suffix
        let aside = try makeFolders(ConfinedPath(components: [previous]), shown: shown)
        defer { close(aside) }
        let incoming = try resolve(staging, flags: O_RDONLY | O_DIRECTORY, shown: shown)
        defer { close(incoming) }
        var movedAside: [String] = []
        var movedIn: [String] = []
        do {
            for name in try Self.names(in: root) where name != staging.name && name != previous {
                guard renameat(root, name, aside, name) == 0 else { throw ConfinedFileError.from(errno, "move aside", name) }
                movedAside.append(name)
            }
            guard renameat(root, previous, root, Self.replacedPrefix + suffix) == 0 else {
                throw ConfinedFileError.from(errno, "mark as replaced", previous)
            }
            for name in try Self.names(in: incoming) {
                guard renameat(incoming, name, root, name) == 0 else { throw ConfinedFileError.from(errno, "move into place", name) }
                movedIn.append(name)
            }
        } catch {
            for name in movedIn { renameat(root, name, incoming, name) }
            for name in movedAside { renameat(aside, name, root, name) }
            // Empty again when every entry went back; one that did not stays in it, for the next start to put right.
            unlinkat(root, previous, AT_REMOVEDIR)
            unlinkat(root, Self.replacedPrefix + suffix, AT_REMOVEDIR)
            throw error
        }
    }

    static let stagingPrefix = ".berth-restore-"
    static let previousPrefix = ".berth-previous-"
    static let replacedPrefix = ".berth-replaced-"

    /// What a replacement cut short by the process's end was put right as.
    public enum InterruptedReplacement: Equatable, Sendable {
        /// Not every old entry was aside yet: they are all back, and the staged files are gone.
        case rolledBack
        /// Every old entry was aside: the staged entries are all in place now, and the old ones gone.
        case completed
        /// Only a staging folder was left (an unpack or a single path's restore cut short): it is gone.
        case stagingRemoved
    }

    /// Puts right what a ``replaceContents(withArchiveAt:shown:limits:)`` or a single path's restore left
    /// in the root when the process ended mid-way (a crash, a power cut): to run before anything else uses
    /// the files. Only folders of the names this type makes are acted on, and nothing leaves the root.
    public func finishInterruptedReplacement() throws -> [InterruptedReplacement] {
        let root = try resolve(ConfinedPath(components: []), flags: O_RDONLY | O_DIRECTORY)
        defer { close(root) }
        let folders = try Self.names(in: root).filter { name in
            var status = stat()
            return name.hasPrefix(".berth-") && fstatat(root, name, &status, AT_SYMLINK_NOFOLLOW) == 0 && status.st_mode & S_IFMT == S_IFDIR
        }
        var outcomes: [InterruptedReplacement] = []
        for folder in folders {
            let back: Bool
            let suffix: String
            if folder.hasPrefix(Self.previousPrefix) {
                (back, suffix) = (true, String(folder.dropFirst(Self.previousPrefix.count)))
            } else if folder.hasPrefix(Self.replacedPrefix) {
                (back, suffix) = (false, String(folder.dropFirst(Self.replacedPrefix.count)))
            } else {
                continue
            }
            let staging = Self.stagingPrefix + suffix
            // Rolled back: the old entries return from the folder; completed: the rest of the new ones come in.
            let from = back ? folder : staging
            if folders.contains(from) {
                let source = try resolve(ConfinedPath(components: [from]), flags: O_RDONLY | O_DIRECTORY)
                defer { close(source) }
                for name in try Self.names(in: source) {
                    guard renameat(source, name, root, name) == 0 else { throw ConfinedFileError.from(errno, "move back", name) }
                }
            }
            try? delete(folder)
            if folders.contains(staging) { try? delete(staging) }
            outcomes.append(back ? .rolledBack : .completed)
        }
        for name in try Self.names(in: root) where name.hasPrefix(Self.stagingPrefix) && folders.contains(name) {
            try delete(name)
            outcomes.append(.stagingRemoved)
        }
        return outcomes
    }
}
