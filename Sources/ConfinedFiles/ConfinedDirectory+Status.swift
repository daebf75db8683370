import CConfinedFiles
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension ConfinedDirectory {
    /// The status of the entry at `path`: of a link itself, or, `followingLinks`, of what it leads to
    /// (which must be inside, as for every other path).
    public func status(at path: String, followingLinks: Bool) throws -> FileStatus {
        let confined = try ConfinedPath(path)
        var status = stat()
        if followingLinks || confined.isRoot {
            let descriptor = try resolve(confined, flags: berth_open_path, shown: path)
            defer { close(descriptor) }
            guard fstat(descriptor, &status) == 0 else { throw ConfinedFileError.system("stat \(path)", errno) }
        } else {
            let (folder, name) = try openParent(of: confined, shown: path)
            defer { close(folder) }
            guard fstatat(folder, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { throw ConfinedFileError.from(errno, "stat", path) }
        }
        return FileStatus(status)
    }

    /// The figures of the file system the directory is on: its size and free room (for a volume with a
    /// disk limit of its own, that limit).
    public func fileSystemStatus() throws -> FileSystemStatus {
        var status = statvfs()
        guard fstatvfs(root, &status) == 0 else { throw ConfinedFileError.system("statvfs \(path)", errno) }
        return FileSystemStatus(status)
    }

    /// Sets the access and modification times (seconds since 1970) of the entry at `path`; a link's own
    /// times, never its target's.
    public func setTimes(of path: String, accessed: Int, modified: Int) throws {
        let (folder, name) = try openParent(of: try ConfinedPath(path), shown: path)
        defer { close(folder) }
        let times = [timespec(tv_sec: accessed, tv_nsec: 0), timespec(tv_sec: modified, tv_nsec: 0)]
        guard utimensat(folder, name, times, AT_SYMLINK_NOFOLLOW) == 0 else { throw ConfinedFileError.from(errno, "set the times of", path) }
    }

    /// Cuts or extends the regular file at `path` to `size` bytes.
    public func truncate(_ path: String, to size: Int64) throws {
        let (folder, name) = try openParent(of: try ConfinedPath(path), shown: path)
        defer { close(folder) }
        let descriptor = openat(folder, name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ConfinedFileError.from(errno, "open", path) }
        defer { close(descriptor) }
        try Self.requireRegularFile(descriptor, path)
        guard ftruncate(descriptor, off_t(size)) == 0 else { throw ConfinedFileError.from(errno, "truncate", path) }
    }

    /// Throws unless the open `descriptor` is a regular file.
    static func requireRegularFile(_ descriptor: Int32, _ path: String) throws {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw ConfinedFileError.system("stat \(path)", errno) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw ConfinedFileError.notARegularFile(path) }
    }
}
