import CConfinedFiles
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension ConfinedDirectory {
    /// Replaces the file at `path` with `data` at once (see ``FileWriter``), making missing folders on the way.
    public func write(_ data: Data, to path: String, mode: mode_t = 0o644) throws {
        let writer = try beginWrite(to: path, mode: mode)
        try data.withUnsafeBytes { try writer.append($0) }
        try writer.commit()
    }

    /// Starts replacing the file at `path`, making missing folders on the way: the bytes go to a new file
    /// beside it, which ``FileWriter/commit()`` renames over the old entry. Until then the old file is
    /// intact, and a failure (a full disk, a dropped upload) leaves it so.
    public func beginWrite(to path: String, mode: mode_t = 0o644) throws -> FileWriter {
        let confined = try ConfinedPath(path)
        guard !confined.isRoot else { throw ConfinedFileError.notARegularFile(path) }
        let folder = try makeFolders(confined.parent, shown: path)
        let temporary = ".\(confined.name.prefix(200)).berth-\(UInt64.random(in: 0...UInt64.max))"
        let descriptor = openat(folder, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            let error = errno
            close(folder)
            throw ConfinedFileError.from(error, "create", path)
        }
        return FileWriter(folder: folder, name: confined.name, temporary: temporary, descriptor: descriptor, owner: owner, path: path)
    }

    /// Makes the folder at `path`, and those missing above it unless not `creatingParents`; one already
    /// there is ``ConfinedFileError/exists(_:)``.
    public func makeFolder(_ path: String, creatingParents: Bool = true) throws {
        let confined = try ConfinedPath(path)
        guard !confined.isRoot else { throw ConfinedFileError.exists("/") }
        let parent =
            creatingParents
            ? try makeFolders(confined.parent, shown: path)
            : try resolve(confined.parent, flags: berth_open_path | O_DIRECTORY, shown: path)
        defer { close(parent) }
        guard mkdirat(parent, confined.name, 0o755) == 0 else { throw ConfinedFileError.from(errno, "make folder", path) }
        giveToOwner(confined.name, in: parent)
    }
}

/// A file being written: bytes appended to a new file beside the one it replaces, which ``commit()``
/// syncs and renames over it. Abandoned (or released uncommitted), it is removed and the old file stays.
public final class FileWriter {
    private let folder: Int32
    private let name: String
    private let temporary: String
    private let owner: (uid: UInt32, gid: UInt32)?
    private let path: String
    private var finished = false
    /// The new file, open for writing: for writers that need a descriptor, such as libarchive's.
    public let descriptor: Int32
    /// The name of the new file beside the old one until ``commit()``.
    var temporaryName: String { temporary }
    /// Bytes written so far.
    public private(set) var written: Int64 = 0

    init(folder: Int32, name: String, temporary: String, descriptor: Int32, owner: (uid: UInt32, gid: UInt32)?, path: String) {
        self.folder = folder
        self.name = name
        self.temporary = temporary
        self.descriptor = descriptor
        self.owner = owner
        self.path = path
    }

    deinit {
        if !finished { abandon() }
        close(folder)
    }

    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        try ConfinedDirectory.writeAll(bytes, to: descriptor, shown: path)
        written += Int64(bytes.count)
    }

    /// Makes the new file the one at the path: owned by the instance, synced, renamed over the old entry
    /// (a link there is replaced, never followed).
    public func commit() throws {
        guard !finished else { return }
        defer { if !finished { abandon() } }
        if let owner, fchown(descriptor, owner.uid, owner.gid) != 0 { throw ConfinedFileError.system("chown \(path)", errno) }
        guard fsync(descriptor) == 0 else { throw ConfinedFileError.from(errno, "sync", path) }
        guard renameat(folder, temporary, folder, name) == 0 else { throw ConfinedFileError.from(errno, "rename into", path) }
        close(descriptor)
        finished = true
    }

    /// Drops what was written; the old file, if any, stays as it was.
    public func abandon() {
        guard !finished else { return }
        finished = true
        close(descriptor)
        unlinkat(folder, temporary, 0)
    }
}
