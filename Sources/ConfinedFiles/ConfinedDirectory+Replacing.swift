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
        let suffix = UInt64.random(in: 0...UInt64.max)
        let staging = ConfinedPath(components: [".berth-restore-\(suffix)"])
        let previous = ConfinedPath(components: [".berth-previous-\(suffix)"])
        do {
            close(try makeFolders(staging, shown: shown))
            try unpack(source, into: staging, limits: limits)
        } catch {
            try? delete(staging.relative)
            throw error
        }
        try swap(in: staging, keepingAside: previous, shown: shown)
        try? delete(previous.relative)
        try? delete(staging.relative)
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
        let staging = ConfinedPath(components: [".berth-restore-\(UInt64.random(in: 0...UInt64.max))"])
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

    /// Moves the root's entries into `previous` and the entries of `staging` into the root. Should a
    /// rename fail halfway, what moved is moved back, so the root holds the old entries again.
    private func swap(in staging: ConfinedPath, keepingAside previous: ConfinedPath, shown: String) throws {
        let root = try resolve(ConfinedPath(components: []), flags: O_RDONLY | O_DIRECTORY, shown: shown)
        defer { close(root) }
        let aside = try makeFolders(previous, shown: shown)
        defer { close(aside) }
        let incoming = try resolve(staging, flags: O_RDONLY | O_DIRECTORY, shown: shown)
        defer { close(incoming) }
        var movedAside: [String] = []
        var movedIn: [String] = []
        do {
            for name in try Self.names(in: root) where name != staging.name && name != previous.name {
                guard renameat(root, name, aside, name) == 0 else { throw ConfinedFileError.from(errno, "move aside", name) }
                movedAside.append(name)
            }
            for name in try Self.names(in: incoming) {
                guard renameat(incoming, name, root, name) == 0 else { throw ConfinedFileError.from(errno, "move into place", name) }
                movedIn.append(name)
            }
        } catch {
            for name in movedIn { renameat(root, name, incoming, name) }
            for name in movedAside { renameat(aside, name, root, name) }
            throw error
        }
    }
}
