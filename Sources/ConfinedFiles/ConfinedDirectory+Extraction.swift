import CArchive
import CConfinedFiles
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension ConfinedDirectory {
    /// Unpacks the archive at `archive` into the folder `destination`, through libarchive, in three steps:
    /// every entry is checked before anything is written (no absolute path, no `..`, no link that leads
    /// out, at most `limits` entries and declared bytes); the entries are unpacked into a staging folder
    /// beside the destination, counting the real bytes; only then are they moved into place, replacing
    /// files of the same name. A refusal or failure before the move (a corrupt archive, a full disk)
    /// leaves the volume as it was.
    @discardableResult
    public func extract(_ archive: String, into destination: String, limits: ExtractionLimits) throws -> ArchiveSummary {
        let source = ArchiveLocation.inRoot(archive)
        let plan = try planExtraction(of: source, limits: limits)
        let target = try ConfinedPath(destination)
        let targetExisted = (try? entry(at: destination)) != nil
        let staging = target.appending(".berth-extract-\(UInt64.random(in: 0...UInt64.max))")
        do {
            close(try makeFolders(staging, shown: destination))
            try unpack(source, into: staging, limits: limits)
        } catch {
            try? delete(targetExisted ? staging.relative : target.relative)
            throw error
        }
        try mergeStaging(staging, into: target, shown: destination)
        try? delete(staging.relative)
        return plan
    }

    /// What an archive holds, checked: the first step of ``extract(_:into:limits:)``, which writes nothing.
    public func inspectArchive(_ archive: String, limits: ExtractionLimits) throws -> ArchiveSummary {
        try planExtraction(of: .inRoot(archive), limits: limits)
    }

    // MARK: - Checking before writing

    /// Reads every header of the archive and checks it; what the archive holds when nothing is refused.
    /// With `selecting`, only that entry and what is inside it count.
    func planExtraction(of source: ArchiveLocation, limits: ExtractionLimits, selecting: ConfinedPath? = nil) throws -> ArchiveSummary {
        var (entries, bytes, skipped) = (0, Int64(0), 0)
        let archive = source.shown
        try readArchive(source) { _, entry in
            guard entries < limits.maximumEntries else {
                throw ConfinedFileError.refused(archive, "it holds more than \(limits.maximumEntries) entries, more than Berth unpacks at once")
            }
            guard let kind = Self.kind(of: entry) else {
                skipped += 1
                return
            }
            let name = Self.pathname(of: entry)
            let path = try Self.checkedEntryPath(name, in: archive)
            guard !path.isRoot, selecting.map(path.isWithin) ?? true else { return }
            if kind == .link, !source.mayHoldLinksThatLeadOut {
                let target = archive_entry_symlink(entry).map { String(cString: $0) } ?? ""
                guard Self.staysInside(target, from: path.parent) else {
                    throw ConfinedFileError.refused(archive, "its link \(name) -> \(target) leads out of the folder")
                }
            }
            if kind == .file, archive_entry_size_is_set(entry) != 0 {
                bytes += archive_entry_size(entry)
                guard bytes <= limits.maximumBytes else {
                    throw ConfinedFileError.refused(archive, "it unpacks to more than \(limits.maximumBytes) bytes, more than there is room for")
                }
            }
            entries += 1
        }
        return ArchiveSummary(entries: entries, bytes: bytes, skipped: skipped)
    }

    /// An entry's name as a path inside the destination: absolute names and `..` are refused, not
    /// rewritten, so an archive made to climb out is reported rather than half-unpacked.
    static func checkedEntryPath(_ name: String, in archive: String) throws -> ConfinedPath {
        guard !name.hasPrefix("/") else { throw ConfinedFileError.refused(archive, "its entry \(name) has an absolute path") }
        guard !name.split(separator: "/").contains("..") else { throw ConfinedFileError.refused(archive, "its entry \(name) climbs out with ..") }
        do {
            return try ConfinedPath(name)
        } catch {
            throw ConfinedFileError.refused(archive, "its entry \(name) has an unusable name")
        }
    }

    /// Whether a link in `folder` pointing to `target` leads to somewhere inside the root, read as text.
    static func staysInside(_ target: String, from folder: ConfinedPath) -> Bool {
        guard !target.hasPrefix("/"), !target.isEmpty else { return false }
        var stack = folder.components
        for component in target.split(separator: "/") where component != "." {
            if component == ".." {
                guard !stack.isEmpty else { return false }
                stack.removeLast()
            } else {
                stack.append(String(component))
            }
        }
        return true
    }

    // MARK: - Unpacking into the staging folder

    func unpack(_ source: ArchiveLocation, into staging: ConfinedPath, limits: ExtractionLimits, selecting: ConfinedPath? = nil) throws {
        let archive = source.shown
        let folders = FolderCache(directory: self)
        defer { folders.close() }
        var links: [(ConfinedPath, String)] = []
        var unpacked: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 256 << 10)
        try readArchive(source) { reader, entry in
            guard let kind = Self.kind(of: entry) else { return }
            let relative = try Self.checkedEntryPath(Self.pathname(of: entry), in: archive)
            guard !relative.isRoot, selecting.map(relative.isWithin) ?? true else { return }
            let path = ConfinedPath(components: staging.components + relative.components)
            switch kind {
            case .folder:
                close(try makeFolders(path, shown: archive))
            case .link:
                links.append((path, archive_entry_symlink(entry).map { String(cString: $0) } ?? ""))
            case .file:
                // The staging folder is the daemon's own until the merge: files are written in place, and synced
                // once at the end rather than one by one (ten thousand fsyncs would cost more than the unpacking).
                let folder = try folders.open(path.parent, shown: archive)
                let file = openat(folder, path.name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode_t(archive_entry_perm(entry) & 0o777))
                guard file >= 0 else { throw ConfinedFileError.from(errno, "unpack", relative.description) }
                defer { close(file) }
                if let owner { fchown(file, owner.uid, owner.gid) }
                while true {
                    let count = buffer.withUnsafeMutableBytes { archive_read_data(reader, $0.baseAddress, $0.count) }
                    guard count >= 0 else { throw Self.unreadable(archive, reader) }
                    if count == 0 { break }
                    unpacked += Int64(count)
                    // The declared sizes were checked; the real bytes are too, in case a header lied.
                    guard unpacked <= limits.maximumBytes else {
                        throw ConfinedFileError.refused(archive, "it unpacks to more than \(limits.maximumBytes) bytes, more than there is room for")
                    }
                    try buffer.withUnsafeBytes {
                        try Self.writeAll(UnsafeRawBufferPointer(rebasing: $0[0..<count]), to: file, shown: relative.description)
                    }
                }
            case .other:
                return
            }
        }
        // Links last: no entry of the archive is ever written through one of its own links.
        for (path, target) in links {
            let folder = try makeFolders(path.parent, shown: archive)
            defer { close(folder) }
            guard symlinkat(target, folder, path.name) == 0 else { throw ConfinedFileError.from(errno, "unpack the link", path.description) }
            giveToOwner(path.name, in: folder)
        }
        // Everything unpacked reaches the disk before it is moved into place: a crash leaves whole files or none.
        let stagingFolder = try resolve(staging, flags: O_RDONLY | O_DIRECTORY, shown: archive)
        defer { close(stagingFolder) }
        guard berth_syncfs(stagingFolder) == 0 else { throw ConfinedFileError.from(errno, "sync", archive) }
    }

    /// Moves what was unpacked into the destination: folders are merged, files and links replace entries
    /// of the same name.
    private func mergeStaging(_ staging: ConfinedPath, into target: ConfinedPath, shown: String) throws {
        let from = try resolve(staging, flags: O_RDONLY | O_DIRECTORY, shown: shown)
        defer { close(from) }
        let to = try resolve(target, flags: O_RDONLY | O_DIRECTORY, shown: shown)
        defer { close(to) }
        try Self.merge(from, into: to, shown: shown, skipping: staging.name)
    }

    private static func merge(_ from: Int32, into to: Int32, shown: String, skipping: String? = nil) throws {
        for name in try names(in: from) where name != skipping {
            var incoming = stat()
            var existing = stat()
            guard fstatat(from, name, &incoming, AT_SYMLINK_NOFOLLOW) == 0 else { throw ConfinedFileError.from(errno, "unpack", shown) }
            let exists = fstatat(to, name, &existing, AT_SYMLINK_NOFOLLOW) == 0
            if exists, incoming.st_mode & S_IFMT == S_IFDIR, existing.st_mode & S_IFMT == S_IFDIR {
                let inner = openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                let outer = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                defer {
                    if inner >= 0 { close(inner) }
                    if outer >= 0 { close(outer) }
                }
                guard inner >= 0, outer >= 0 else { throw ConfinedFileError.from(errno, "unpack into", shown) }
                try merge(inner, into: outer, shown: shown)
                continue
            }
            // A folder cannot be renamed over a file or another folder: what is there goes first.
            if exists, incoming.st_mode & S_IFMT == S_IFDIR || existing.st_mode & S_IFMT == S_IFDIR {
                try removeEntry(name, in: to)
            }
            guard renameat(from, name, to, name) == 0 else { throw ConfinedFileError.from(errno, "unpack into", shown) }
        }
    }

    /// The folder the last entry went into, kept open: an archive lists a folder's files together, so most
    /// entries need no walk from the root at all.
    final class FolderCache {
        let directory: ConfinedDirectory
        private var last: (path: ConfinedPath, descriptor: Int32)?

        init(directory: ConfinedDirectory) {
            self.directory = directory
        }

        func open(_ path: ConfinedPath, shown: String) throws -> Int32 {
            if let last, last.path == path { return last.descriptor }
            let descriptor = try directory.makeFolders(path, shown: shown)
            close()
            last = (path, descriptor)
            return descriptor
        }

        func close() {
            if let last { Glibc.close(last.descriptor) }
            last = nil
        }
    }

    // MARK: - libarchive

    /// Opens the archive and calls `body` for each entry header.
    func readArchive(_ source: ArchiveLocation, _ body: (OpaquePointer, OpaquePointer) throws -> Void) throws {
        switch source {
        case .inRoot(let path):
            let file = try openFile(path)
            try Self.readArchive(file.descriptor, shown: path, body)
        case .onHost(let path, let shown):
            let descriptor = Glibc.open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard descriptor >= 0 else { throw ConfinedFileError.from(errno, "read", shown) }
            defer { close(descriptor) }
            try Self.readArchive(descriptor, shown: shown, body)
        }
    }

    static func readArchive(_ descriptor: Int32, shown path: String, _ body: (OpaquePointer, OpaquePointer) throws -> Void) throws {
        guard let reader = archive_read_new() else { throw ConfinedFileError.system("read \(path)", ENOMEM) }
        defer { archive_read_free(reader) }
        archive_read_support_format_zip(reader)
        archive_read_support_format_tar(reader)
        archive_read_support_format_gnutar(reader)
        for filter in [
            archive_read_support_filter_gzip, archive_read_support_filter_xz, archive_read_support_filter_zstd, archive_read_support_filter_bzip2,
        ] {
            _ = filter(reader)
        }
        guard archive_read_open_fd(reader, descriptor, 64 << 10) == ARCHIVE_OK else { throw Self.unreadable(path, reader) }
        while true {
            var entry: OpaquePointer?
            let result = archive_read_next_header(reader, &entry)
            if result == ARCHIVE_EOF { return }
            guard result == ARCHIVE_OK || result == ARCHIVE_WARN, let entry else { throw Self.unreadable(path, reader) }
            try body(reader, entry)
        }
    }

    static func unreadable(_ path: String, _ reader: OpaquePointer) -> ConfinedFileError {
        let reason = archive_error_string(reader).map { String(cString: $0) } ?? "it ends early or is damaged"
        return .refused(path, "it is not an archive Berth can read (\(reason))")
    }

    static func pathname(of entry: OpaquePointer) -> String {
        if let utf8 = archive_entry_pathname_utf8(entry) { return String(cString: utf8) }
        return archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
    }

    /// The entry's kind; nil for what is not unpacked (hard links, devices, FIFOs, sockets).
    static func kind(of entry: OpaquePointer) -> FileEntry.Kind? {
        if archive_entry_hardlink(entry) != nil { return nil }
        // libarchive's AE_IF* values are the kernel's S_IF* ones.
        switch archive_entry_filetype(entry) & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .folder
        case S_IFLNK: return .link
        default: return nil
        }
    }
}
