import CConfinedFiles
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension ConfinedDirectory {
    /// Opens the regular file at `path` in place, as `access` says; a file it makes gets `mode` and
    /// belongs to ``owner``. Its folder must exist. A link on the way, or as the last component, is
    /// followed only as far as it stays inside.
    public func open(_ path: String, for access: FileAccess, mode: mode_t = 0o644) throws -> RandomAccessFile {
        let confined = try ConfinedPath(path)
        guard !confined.isRoot else { throw ConfinedFileError.notARegularFile(path) }
        var flags: Int32 = O_NONBLOCK | O_NOCTTY
        switch (access.contains(.read), access.contains(.write) || access.contains(.append)) {
        case (true, true): flags |= O_RDWR
        case (false, true): flags |= O_WRONLY
        default: flags |= O_RDONLY
        }
        if access.contains(.append) { flags |= O_APPEND }
        if access.contains(.truncate) { flags |= O_TRUNC }
        let permissions = mode_t(mode & 0o777)

        let descriptor: Int32
        var made = false
        if access.contains(.create) {
            // O_EXCL first, so the daemon knows whether it made the file and so must hand it to the owner.
            do {
                descriptor = try resolve(confined, flags: flags | O_CREAT | O_EXCL, mode: permissions, shown: path)
                made = true
            } catch ConfinedFileError.exists(_) where !access.contains(.exclusive) {
                descriptor = try resolve(confined, flags: flags, shown: path)
            }
        } else {
            descriptor = try resolve(confined, flags: flags, shown: path)
        }
        let file = RandomAccessFile(descriptor: descriptor, path: path)
        try Self.requireRegularFile(descriptor, path)
        if made, let owner, fchown(descriptor, owner.uid, owner.gid) != 0 { throw ConfinedFileError.system("chown \(path)", errno) }
        return file
    }
}
