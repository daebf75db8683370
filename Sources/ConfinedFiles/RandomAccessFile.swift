import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How ``ConfinedDirectory/open(_:for:mode:)`` opens a file.
public struct FileAccess: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let read = FileAccess(rawValue: 1 << 0)
    public static let write = FileAccess(rawValue: 1 << 1)
    /// Writes go to the end, wherever they are asked to go.
    public static let append = FileAccess(rawValue: 1 << 2)
    /// A missing file is made (owned by the directory's owner).
    public static let create = FileAccess(rawValue: 1 << 3)
    /// An existing file is emptied.
    public static let truncate = FileAccess(rawValue: 1 << 4)
    /// With ``create``: an existing file is an error.
    public static let exclusive = FileAccess(rawValue: 1 << 5)
}

/// A regular file opened in place for reading and writing at any offset: what a file transfer
/// protocol's handle is. Unlike ``FileWriter`` it changes the file as it goes, as SFTP clients expect
/// (a resumed upload appends to what is there).
public final class RandomAccessFile: Sendable {
    let descriptor: Int32
    /// The path as the caller gave it, for errors.
    public let path: String

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }

    /// Up to `count` bytes from `offset` into `buffer`'s start; how many were read, 0 at the end.
    public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let read = pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
            if read < 0, errno == EINTR { continue }
            guard read >= 0 else { throw ConfinedFileError.from(errno, "read", path) }
            return read
        }
    }

    /// Writes every byte of `bytes` at `offset` (at the end, for a file opened to append).
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        guard let start = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let count = pwrite(descriptor, start + done, bytes.count - done, off_t(offset) + off_t(done))
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw ConfinedFileError.from(errno, "write", path) }
            done += count
        }
    }

    public func status() throws -> FileStatus {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw ConfinedFileError.system("stat \(path)", errno) }
        return FileStatus(status)
    }

    public func truncate(to size: Int64) throws {
        guard ftruncate(descriptor, off_t(size)) == 0 else { throw ConfinedFileError.from(errno, "truncate", path) }
    }

    /// Sets the permission bits; set-uid and set-gid are refused, as for ``ConfinedDirectory/setMode(_:of:)``.
    public func setMode(_ mode: UInt32) throws {
        try ConfinedDirectory.checkMode(mode, path)
        guard fchmod(descriptor, mode_t(mode)) == 0 else { throw ConfinedFileError.from(errno, "change the mode of", path) }
    }

    /// Sets the access and modification times, seconds since 1970.
    public func setTimes(accessed: Int, modified: Int) throws {
        let times = [timespec(tv_sec: accessed, tv_nsec: 0), timespec(tv_sec: modified, tv_nsec: 0)]
        guard futimens(descriptor, times) == 0 else { throw ConfinedFileError.from(errno, "set the times of", path) }
    }

    /// Flushes what was written to the disk.
    public func sync() throws {
        guard fsync(descriptor) == 0 else { throw ConfinedFileError.from(errno, "sync", path) }
    }
}
