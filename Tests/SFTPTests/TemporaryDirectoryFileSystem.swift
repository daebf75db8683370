import Foundation
import NIOCore
import SFTP

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Test scaffolding, not the production file system: an ``SFTPFileSystem`` over a fresh temporary
/// directory with plain POSIX calls, so the protocol tests reach real files. It trusts the paths the
/// server gives it (already normalised below `/`) and does no confinement of its own; Berth's file
/// system is the confined layer elsewhere.
struct TemporaryDirectoryFileSystem: SFTPFileSystem {
    /// The host path of the directory that is the session's `/`.
    let root: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/sftp-tests-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw SFTPError(.failure, "mkdtemp failed") }
        root = String(cString: made)
    }

    /// Deletes the directory and everything in it.
    func removeEverything() {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The host path for a path the server gives (`/` or `/a/b`).
    func hostPath(_ path: String) -> String { path == "/" ? root : root + path }

    func attributes(at path: String, followingLinks: Bool) async throws -> SFTPAttributes {
        var status = stat()
        let result = followingLinks ? stat(hostPath(path), &status) : lstat(hostPath(path), &status)
        guard result == 0 else { throw Self.lastError() }
        return Self.attributes(of: status)
    }

    func setAttributes(_ attributes: SFTPAttributes, at path: String) async throws {
        let host = hostPath(path)
        if let size = attributes.size, truncate(host, off_t(size)) != 0 { throw Self.lastError() }
        if let permissions = attributes.permissions, chmod(host, mode_t(permissions & 0o7777)) != 0 { throw Self.lastError() }
        if let ids = attributes.ids, chown(host, ids.user, ids.group) != 0 { throw Self.lastError() }
        if let times = attributes.times {
            var values = [timespec(tv_sec: Int(times.access), tv_nsec: 0), timespec(tv_sec: Int(times.modification), tv_nsec: 0)]
            guard utimensat(AT_FDCWD, host, &values, 0) == 0 else { throw Self.lastError() }
        }
    }

    func openFile(_ path: String, flags: SFTPOpenFlags, attributes: SFTPAttributes) async throws -> any SFTPFile {
        var mode: Int32 = flags.contains(.write) ? (flags.contains(.read) ? O_RDWR : O_WRONLY) : O_RDONLY
        if flags.contains(.append) { mode |= O_APPEND }
        if flags.contains(.create) { mode |= O_CREAT }
        if flags.contains(.truncate) { mode |= O_TRUNC }
        if flags.contains(.exclusive) { mode |= O_EXCL }
        let descriptor = open(hostPath(path), mode | O_CLOEXEC, mode_t(attributes.permissions.map { $0 & 0o7777 } ?? 0o644))
        guard descriptor >= 0 else { throw Self.lastError() }
        return DescriptorFile(descriptor: descriptor)
    }

    func listDirectory(_ path: String) async throws -> [SFTPDirectoryEntry] {
        var status = stat()
        guard stat(hostPath(path), &status) == 0 else { throw Self.lastError() }
        let names = try FileManager.default.contentsOfDirectory(atPath: hostPath(path))
        return try await names.asyncMap { name in
            SFTPDirectoryEntry(name: name, attributes: try await attributes(at: path == "/" ? "/" + name : path + "/" + name, followingLinks: false))
        }
    }

    func removeFile(_ path: String) async throws {
        guard unlink(hostPath(path)) == 0 else { throw Self.lastError() }
    }

    func makeDirectory(_ path: String, attributes: SFTPAttributes) async throws {
        guard mkdir(hostPath(path), mode_t(attributes.permissions.map { $0 & 0o7777 } ?? 0o755)) == 0 else { throw Self.lastError() }
    }

    func removeDirectory(_ path: String) async throws {
        guard rmdir(hostPath(path)) == 0 else { throw Self.lastError() }
    }

    func rename(_ source: String, to destination: String, replacing: Bool) async throws {
        var status = stat()
        if !replacing && lstat(hostPath(destination), &status) == 0 {
            throw SFTPError(.failure, "\(destination) exists")
        }
        guard Foundation.rename(hostPath(source), hostPath(destination)) == 0 else { throw Self.lastError() }
    }

    func readLink(_ path: String) async throws -> String {
        var buffer = [CChar](repeating: 0, count: 4_097)
        let count = readlink(hostPath(path), &buffer, 4_096)
        guard count >= 0 else { throw Self.lastError() }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func makeSymbolicLink(at path: String, pointingTo target: String) async throws {
        guard symlink(target, hostPath(path)) == 0 else { throw Self.lastError() }
    }

    func fileSystemStats(at path: String) async throws -> SFTPFileSystemStats {
        var figures = statvfs()
        guard statvfs(hostPath(path), &figures) == 0 else { throw Self.lastError() }
        return SFTPFileSystemStats(
            blockSize: UInt64(figures.f_bsize),
            fragmentSize: UInt64(figures.f_frsize),
            blocks: UInt64(figures.f_blocks),
            freeBlocks: UInt64(figures.f_bfree),
            availableBlocks: UInt64(figures.f_bavail),
            files: UInt64(figures.f_files),
            freeFiles: UInt64(figures.f_ffree),
            availableFiles: UInt64(figures.f_favail),
            fileSystemID: UInt64(figures.f_fsid),
            flags: UInt64(figures.f_flag),
            maximumNameLength: UInt64(figures.f_namemax)
        )
    }

    static func attributes(of status: stat) -> SFTPAttributes {
        SFTPAttributes(
            size: UInt64(status.st_size),
            ids: (user: status.st_uid, group: status.st_gid),
            permissions: UInt32(status.st_mode),
            times: (access: UInt32(truncatingIfNeeded: status.st_atim.tv_sec), modification: UInt32(truncatingIfNeeded: status.st_mtim.tv_sec))
        )
    }

    /// The refusal `errno` stands for, in SFTP's terms.
    static func lastError() -> SFTPError {
        let code = errno
        let message = String(cString: strerror(code))
        switch code {
        case ENOENT: return SFTPError(.noSuchFile, message)
        case EACCES, EPERM: return SFTPError(.permissionDenied, message)
        default: return SFTPError(.failure, message)
        }
    }
}

/// An open file of ``TemporaryDirectoryFileSystem``: a descriptor read and written at offsets.
final class DescriptorFile: SFTPFile {
    private let descriptor: Int32

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    func read(at offset: UInt64, count: Int) async throws -> ByteBuffer {
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) }
        guard read >= 0 else { throw TemporaryDirectoryFileSystem.lastError() }
        return ByteBuffer(bytes: bytes[0..<read])
    }

    func write(_ bytes: ByteBuffer, at offset: UInt64) async throws {
        var written = 0
        while written < bytes.readableBytes {
            let result = bytes.withUnsafeReadableBytes {
                pwrite(descriptor, $0.baseAddress.map { $0 + written }, $0.count - written, off_t(offset) + off_t(written))
            }
            guard result > 0 else { throw TemporaryDirectoryFileSystem.lastError() }
            written += result
        }
    }

    func attributes() async throws -> SFTPAttributes {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw TemporaryDirectoryFileSystem.lastError() }
        return TemporaryDirectoryFileSystem.attributes(of: status)
    }

    func setAttributes(_ attributes: SFTPAttributes) async throws {
        if let size = attributes.size, ftruncate(descriptor, off_t(size)) != 0 { throw TemporaryDirectoryFileSystem.lastError() }
        if let permissions = attributes.permissions, fchmod(descriptor, mode_t(permissions & 0o7777)) != 0 {
            throw TemporaryDirectoryFileSystem.lastError()
        }
        if let times = attributes.times {
            var values = [timespec(tv_sec: Int(times.access), tv_nsec: 0), timespec(tv_sec: Int(times.modification), tv_nsec: 0)]
            guard futimens(descriptor, &values) == 0 else { throw TemporaryDirectoryFileSystem.lastError() }
        }
    }

    func sync() async throws {
        guard fsync(descriptor) == 0 else { throw TemporaryDirectoryFileSystem.lastError() }
    }

    func close() async throws {
        guard Foundation.close(descriptor) == 0 else { throw TemporaryDirectoryFileSystem.lastError() }
    }
}

extension Sequence {
    fileprivate func asyncMap<Transformed>(_ transform: (Element) async throws -> Transformed) async rethrows -> [Transformed] {
        var transformed: [Transformed] = []
        for element in self {
            transformed.append(try await transform(element))
        }
        return transformed
    }
}
