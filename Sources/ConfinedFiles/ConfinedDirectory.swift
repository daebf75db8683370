import CConfinedFiles
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A directory that file operations cannot leave. Every path is resolved by the kernel relative to a
/// descriptor held for the root (`openat2` with `RESOLVE_IN_ROOT`): `..`, absolute paths and symbolic
/// links, those a tenant planted included, all resolve inside it, so no string check stands between a
/// path and the host's files.
public final class ConfinedDirectory: Sendable {
    private let root: Int32
    public let path: String

    /// Files are read up to this size: what a tenant's file costs the daemon stays bounded.
    public static let readLimit = 4 << 20

    public init(path: String) throws {
        let descriptor = open(path, berth_open_path | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ConfinedFileError.system("open \(path)", errno) }
        root = descriptor
        self.path = path
    }

    deinit { close(root) }

    /// The contents of the regular file at `path`, or nil when there is none. Anything else there (a
    /// folder, a FIFO that would block, a device) or a file over ``readLimit`` is an error.
    public func read(_ path: String) throws -> Data? {
        let descriptor: Int32
        do {
            descriptor = try resolve(path, flags: O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        } catch ConfinedFileError.system(_, ENOENT) {
            return nil
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw ConfinedFileError.system("stat \(path)", errno) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw ConfinedFileError.notARegularFile(path) }
        guard Int(status.st_size) <= Self.readLimit else { throw ConfinedFileError.tooLarge(path, limit: Self.readLimit) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw ConfinedFileError.system("read \(path)", errno) }
            if count == 0 { return data }
            data.append(contentsOf: buffer[0..<count])
            guard data.count <= Self.readLimit else { throw ConfinedFileError.tooLarge(path, limit: Self.readLimit) }
        }
    }

    /// Replaces the file at `path` with `data` at once (a new file renamed over the old entry, so a reader
    /// never sees half of it, and a link planted there is replaced, never followed), making missing
    /// folders on the way. New files and folders belong to `owner` (uid, gid) when given.
    public func write(_ data: Data, to path: String, owner: (uid: UInt32, gid: UInt32)? = nil, mode: mode_t = 0o644) throws {
        let (folder, name) = try Self.split(path)
        let parent = try makeFolders(folder, owner: owner)
        defer { close(parent) }
        let temporary = ".\(name).berth-\(UInt64.random(in: 0...UInt64.max))"
        let descriptor = openat(parent, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw ConfinedFileError.system("create \(path)", errno) }
        var written = false
        defer {
            close(descriptor)
            if !written { unlinkat(parent, temporary, 0) }
        }
        try data.withUnsafeBytes { bytes in
            guard let start = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let count = Glibc.write(descriptor, start + offset, bytes.count - offset)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { throw ConfinedFileError.system("write \(path)", errno) }
                offset += count
            }
        }
        if let owner, fchown(descriptor, owner.uid, owner.gid) != 0 { throw ConfinedFileError.system("chown \(path)", errno) }
        guard fsync(descriptor) == 0 else { throw ConfinedFileError.system("sync \(path)", errno) }
        guard renameat(parent, temporary, parent, name) == 0 else { throw ConfinedFileError.system("rename into \(path)", errno) }
        written = true
    }

    // MARK: - Resolution

    /// Opens `path` inside the root. Retried when the kernel reports a rename raced the resolution.
    private func resolve(_ path: String, flags: Int32) throws -> Int32 {
        let resolution = UInt64(RESOLVE_IN_ROOT) | UInt64(RESOLVE_NO_MAGICLINKS)
        for _ in 0..<8 {
            let descriptor = berth_openat2(root, path.isEmpty ? "." : path, flags, 0, resolution)
            if descriptor >= 0 { return descriptor }
            guard errno == EAGAIN || errno == EINTR else { throw ConfinedFileError.system("open \(path)", errno) }
        }
        throw ConfinedFileError.system("open \(path)", EAGAIN)
    }

    /// The folder at `path` inside the root, made (with its parents) when missing; the caller closes it.
    private func makeFolders(_ path: String, owner: (uid: UInt32, gid: UInt32)?) throws -> Int32 {
        var current = try resolve("", flags: berth_open_path | O_DIRECTORY | O_CLOEXEC)
        for component in path.split(separator: "/") where component != "." {
            let name = String(component)
            guard name != ".." else {
                close(current)
                throw ConfinedFileError.outside(path)
            }
            if mkdirat(current, name, 0o755) == 0 {
                if let owner { fchownat(current, name, owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW) }
            } else if errno != EEXIST {
                let error = errno
                close(current)
                throw ConfinedFileError.system("make folder \(path)", error)
            }
            // The next folder, resolved inside the root again: a link planted as a folder stays inside.
            let next = berth_openat2(
                current,
                name,
                berth_open_path | O_DIRECTORY | O_CLOEXEC,
                0,
                UInt64(RESOLVE_BENEATH) | UInt64(RESOLVE_NO_SYMLINKS)
            )
            let error = errno
            close(current)
            guard next >= 0 else { throw ConfinedFileError.system("open folder \(path)", error) }
            current = next
        }
        return current
    }

    /// A file path's folder and last name; a path that names no file is refused.
    static func split(_ path: String) throws -> (folder: String, name: String) {
        let components = path.split(separator: "/").filter { $0 != "." }
        guard let last = components.last, last != "..", !components.contains("..") else { throw ConfinedFileError.outside(path) }
        return (components.dropLast().joined(separator: "/"), String(last))
    }
}

public enum ConfinedFileError: Error, Equatable, CustomStringConvertible {
    case system(String, Int32)
    case notARegularFile(String)
    case tooLarge(String, limit: Int)
    case outside(String)

    public var description: String {
        switch self {
        case .system(let action, let code): "\(action): \(String(cString: strerror(code)))"
        case .notARegularFile(let path): "\(path) is not a regular file"
        case .tooLarge(let path, let limit): "\(path) is larger than \(limit) bytes"
        case .outside(let path): "\(path) does not name a file inside the folder"
        }
    }
}
