#if canImport(Glibc)
import Glibc
#endif

/// Why a file operation inside a confined directory was refused or failed; every case names the path
/// as the caller gave it.
public enum ConfinedFileError: Error, Equatable, CustomStringConvertible {
    case system(String, Int32)
    case notFound(String)
    case exists(String)
    case notARegularFile(String)
    case notAFolder(String)
    case tooLarge(String, limit: Int)
    /// The path, or a link on its way, leads out of the directory.
    case outside(String)
    case invalidPath(String, String)
    case refused(String, String)

    public var description: String {
        switch self {
        case .system(let action, let code): "\(action): \(String(cString: strerror(code)))"
        case .notFound(let path): "\(path) does not exist"
        case .exists(let path): "\(path) already exists"
        case .notARegularFile(let path): "\(path) is not a regular file"
        case .notAFolder(let path): "\(path) is not a folder"
        case .tooLarge(let path, let limit): "\(path) is larger than \(limit) bytes"
        case .outside(let path): "\(path) does not name a file inside the folder"
        case .invalidPath(let path, let reason): "\(path) is not a usable path: \(reason)"
        case .refused(let path, let reason): "\(path): \(reason)"
        }
    }

    /// Whether the disk or the quota is full: the caller's data did not fit, nothing else is wrong.
    public var isOutOfSpace: Bool {
        if case .system(_, let code) = self { return code == ENOSPC || code == EDQUOT }
        return false
    }

    /// The error an `errno` from acting on `path` means, with the common ones named.
    static func from(_ code: Int32, _ action: String, _ path: String) -> ConfinedFileError {
        switch code {
        case ENOENT: .notFound(path)
        case EEXIST: .exists(path)
        // EXDEV: openat2's RESOLVE_BENEATH met a link or path that leaves the root; ELOOP: a link where
        // none may be followed.
        case EXDEV, ELOOP: .outside(path)
        case ENOTDIR: .notAFolder(path)
        case EISDIR: .notARegularFile(path)
        case ENAMETOOLONG: .invalidPath(path, "a name in it is too long")
        default: .system("\(action) \(path)", code)
        }
    }
}
