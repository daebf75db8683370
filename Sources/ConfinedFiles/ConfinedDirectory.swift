import CConfinedFiles
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A directory that file operations cannot leave. Every path is resolved by the kernel relative to a
/// descriptor held for the root (`openat2` with `RESOLVE_BENEATH`), never by joining strings: a link,
/// those a tenant planted included, may lead anywhere inside, and one that leads out (absolute, or
/// climbing past the root) is refused, not followed and not remapped. The last component of a path
/// that is changed (written, renamed, deleted, chmodded) is acted on through its folder's descriptor
/// without following it, so a link there is the thing changed, never its target.
///
/// Where the kernel has no `openat2` (before Linux 5.6) each component is opened in turn with
/// `O_NOFOLLOW`, which refuses every link on the way instead.
public final class ConfinedDirectory: Sendable {
    let root: Int32
    public let path: String
    /// The uid and gid new files and folders get: the instance's, so its server can change them.
    public let owner: (uid: UInt32, gid: UInt32)?
    let resolution: Resolution

    /// Files are read whole (``read(_:)``) up to this size: what a tenant's file costs the daemon stays bounded.
    public static let readLimit = 4 << 20

    /// How paths are resolved below the root.
    public enum Resolution: Sendable {
        /// `openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)`: links inside are followed, links out refused.
        case kernel
        /// One `openat(O_NOFOLLOW)` per component: every link on the way is refused.
        case componentWalk

        /// What this kernel offers.
        public static let available: Resolution = {
            let descriptor = berth_openat2(AT_FDCWD, "/", berth_open_path | O_CLOEXEC, 0, 0)
            guard descriptor >= 0 else { return .componentWalk }
            close(descriptor)
            return .kernel
        }()
    }

    public init(path: String, owner: (uid: UInt32, gid: UInt32)? = nil, resolution: Resolution = .available) throws {
        let descriptor = Glibc.open(path, berth_open_path | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ConfinedFileError.system("open \(path)", errno) }
        root = descriptor
        self.path = path
        self.owner = owner
        self.resolution = resolution
    }

    deinit { close(root) }

    // MARK: - Resolution

    /// Opens `path` below the root with `flags`; the caller closes the descriptor. `shown` is the path as
    /// the caller gave it, for errors.
    func resolve(_ path: ConfinedPath, flags: Int32, mode: mode_t = 0, shown: String? = nil) throws -> Int32 {
        let shown = shown ?? path.description
        switch resolution {
        case .kernel:
            let beneath = UInt64(RESOLVE_BENEATH) | UInt64(RESOLVE_NO_MAGICLINKS)
            // The kernel asks for a retry (EAGAIN) when a rename raced the resolution.
            for _ in 0..<16 {
                let descriptor = berth_openat2(root, path.relative, flags | O_CLOEXEC, UInt32(mode), beneath)
                if descriptor >= 0 { return descriptor }
                guard errno == EAGAIN || errno == EINTR else { throw ConfinedFileError.from(errno, "open", shown) }
            }
            throw ConfinedFileError.system("open \(shown)", EAGAIN)
        case .componentWalk:
            var current = dup(root)
            guard current >= 0 else { throw ConfinedFileError.system("open \(shown)", errno) }
            for (index, component) in path.components.enumerated() {
                let last = index == path.components.count - 1
                let next =
                    last
                    ? openat(current, component, flags | O_NOFOLLOW | O_CLOEXEC, mode)
                    : openat(current, component, berth_open_path | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                let error = errno
                // O_NOFOLLOW | O_DIRECTORY meets a link as "not a folder": say what it is.
                let isLink = next < 0 && error == ENOTDIR && Self.isLink(component, in: current)
                close(current)
                guard next >= 0 else { throw isLink ? ConfinedFileError.outside(shown) : ConfinedFileError.from(error, "open", shown) }
                current = next
            }
            if path.isRoot {
                defer { close(current) }
                let reopened = openat(current, ".", flags | O_CLOEXEC, mode)
                guard reopened >= 0 else { throw ConfinedFileError.from(errno, "open", shown) }
                return reopened
            }
            return current
        }
    }

    /// The folder holding `path`'s last component, opened, and that component: what operations that
    /// must not follow the last component act on. The root itself has no folder and is refused.
    func openParent(of path: ConfinedPath, shown: String? = nil) throws -> (folder: Int32, name: String) {
        guard !path.isRoot else { throw ConfinedFileError.refused("/", "the root folder itself cannot be changed") }
        let folder = try resolve(path.parent, flags: berth_open_path | O_DIRECTORY, shown: shown ?? path.description)
        return (folder, path.name)
    }

    /// Makes the folder at `path` and any missing above it, owned by ``owner``; returns it opened.
    /// `shown` is the path the caller asked for, for errors.
    func makeFolders(_ path: ConfinedPath, shown: String) throws -> Int32 {
        var made = ConfinedPath.root
        for component in path.components {
            let parent = try resolve(made, flags: berth_open_path | O_DIRECTORY, shown: shown)
            defer { close(parent) }
            if mkdirat(parent, component, 0o755) == 0 {
                giveToOwner(component, in: parent)
            } else if errno != EEXIST {
                throw ConfinedFileError.from(errno, "make folder", shown)
            }
            made = made.appending(component)
        }
        return try resolve(path, flags: berth_open_path | O_DIRECTORY, shown: shown)
    }

    /// Hands a new entry to ``owner``, without following it if it is a link.
    func giveToOwner(_ name: String, in folder: Int32) {
        if let owner { fchownat(folder, name, owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW) }
    }

    /// The target of the link `name` in the open `folder`, byte for byte and NUL-terminated (as `symlinkat`
    /// and libarchive take it); `action` names what failed.
    static func linkTarget(of name: String, in folder: Int32, action: String, shown: String) throws -> [CChar] {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlinkat(folder, name, &buffer, buffer.count - 1)
        guard length >= 0 else { throw ConfinedFileError.from(errno, action, shown) }
        return Array(buffer[0...length])
    }

    /// Writes every byte of `bytes` to the open file.
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to file: Int32, shown: String) throws {
        guard let start = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let count = Glibc.write(file, start + offset, bytes.count - offset)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw ConfinedFileError.from(errno, "write", shown) }
            offset += count
        }
    }

    static func isLink(_ name: String, in folder: Int32) -> Bool {
        var status = stat()
        return fstatat(folder, name, &status, AT_SYMLINK_NOFOLLOW) == 0 && status.st_mode & S_IFMT == S_IFLNK
    }

    /// The names in the open folder `folder`, without `.` and `..`.
    static func names(in folder: Int32) throws -> [String] {
        let copy = openat(folder, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard copy >= 0, let stream = fdopendir(copy) else {
            throw ConfinedFileError.system("list folder", errno)
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }
}
