import CConfinedFiles
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension ConfinedDirectory {
    /// Moves the entry at `source` (a link is moved itself) to `destination`, which must not exist;
    /// missing folders on the way there are made.
    public func move(_ source: String, to destination: String) throws {
        let from = try ConfinedPath(source)
        let to = try ConfinedPath(destination)
        guard !from.isRoot else { throw ConfinedFileError.refused("/", "the root folder itself cannot be changed") }
        guard !to.isWithin(from) else { throw ConfinedFileError.refused(destination, "a folder cannot be moved into itself") }
        let (sourceFolder, sourceName) = try openParent(of: from, shown: source)
        defer { close(sourceFolder) }
        guard !to.isRoot else { throw ConfinedFileError.exists("/") }
        let targetFolder = try makeFolders(to.parent, shown: destination)
        defer { close(targetFolder) }
        guard berth_rename_noreplace(sourceFolder, sourceName, targetFolder, to.name) == 0 else {
            let error = errno
            throw error == ENOENT ? ConfinedFileError.notFound(source) : ConfinedFileError.from(error, "move to", destination)
        }
    }

    /// Copies the entry at `source` to `destination`, which must not exist: files by their bytes, folders
    /// with everything in them, links as links (their targets are never read). A copy that fails halfway
    /// (a full disk) is removed again, so nothing half-copied is left.
    public func copy(_ source: String, to destination: String) throws {
        let from = try ConfinedPath(source)
        let to = try ConfinedPath(destination)
        guard !from.isRoot else { throw ConfinedFileError.refused("/", "the root folder itself cannot be changed") }
        guard !to.isWithin(from) else { throw ConfinedFileError.refused(destination, "a folder cannot be copied into itself") }
        let (sourceFolder, sourceName) = try openParent(of: from, shown: source)
        defer { close(sourceFolder) }
        guard !to.isRoot else { throw ConfinedFileError.exists("/") }
        let targetFolder = try makeFolders(to.parent, shown: destination)
        defer { close(targetFolder) }
        do {
            try copyEntry(sourceName, in: sourceFolder, to: to.name, in: targetFolder, shown: source)
        } catch ConfinedFileError.exists(_) {
            throw ConfinedFileError.exists(destination)
        } catch {
            try? Self.removeEntry(to.name, in: targetFolder)
            throw error
        }
    }

    /// Deletes the entry at `path` and, for a folder, everything in it. Links are deleted themselves;
    /// what they point to is never touched.
    public func delete(_ path: String) throws {
        let (folder, name) = try openParent(of: try ConfinedPath(path), shown: path)
        defer { close(folder) }
        do {
            try Self.removeEntry(name, in: folder)
        } catch ConfinedFileError.notFound(_) {
            throw ConfinedFileError.notFound(path)
        }
    }

    /// Sets the permission bits of the file or folder at `path`. Set-uid and set-gid bits are refused,
    /// and so is a link: it has no mode of its own, and its target's is not changed through it.
    public func setMode(_ mode: UInt32, of path: String) throws {
        try Self.checkMode(mode, path)
        let (folder, name) = try openParent(of: try ConfinedPath(path), shown: path)
        defer { close(folder) }
        // O_NOFOLLOW: a link swapped in after any check fails to open (ELOOP) instead of lending its target.
        let descriptor = openat(folder, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw errno == ELOOP
                ? ConfinedFileError.refused(path, "a link has no permissions of its own; change its target instead")
                : ConfinedFileError.from(errno, "open", path)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw ConfinedFileError.system("stat \(path)", errno) }
        guard [S_IFREG, S_IFDIR].contains(status.st_mode & S_IFMT) else { throw ConfinedFileError.notARegularFile(path) }
        guard fchmod(descriptor, mode_t(mode)) == 0 else { throw ConfinedFileError.from(errno, "change the mode of", path) }
    }

    /// Renames the entry at `source` (a link is renamed itself) to `destination`, whose folder must
    /// exist. An entry already there is replaced when `replacing` (a folder only by an empty one, as
    /// rename(2) does), and is an error otherwise.
    public func rename(_ source: String, to destination: String, replacing: Bool) throws {
        let from = try ConfinedPath(source)
        let to = try ConfinedPath(destination)
        guard !to.isWithin(from) else { throw ConfinedFileError.refused(destination, "a folder cannot be moved into itself") }
        let (sourceFolder, sourceName) = try openParent(of: from, shown: source)
        defer { close(sourceFolder) }
        let (targetFolder, targetName) = try openParent(of: to, shown: destination)
        defer { close(targetFolder) }
        let renamed =
            replacing
            ? renameat(sourceFolder, sourceName, targetFolder, targetName)
            : berth_rename_noreplace(sourceFolder, sourceName, targetFolder, targetName)
        guard renamed == 0 else {
            let error = errno
            throw error == ENOENT && !Self.exists(sourceName, in: sourceFolder)
                ? ConfinedFileError.notFound(source) : ConfinedFileError.from(error, "rename to", destination)
        }
    }

    /// Removes the entry at `path` that is not a folder (a link is removed itself).
    public func removeFile(_ path: String) throws {
        let (folder, name) = try openParent(of: try ConfinedPath(path), shown: path)
        defer { close(folder) }
        guard unlinkat(folder, name, 0) == 0 else { throw ConfinedFileError.from(errno, "remove", path) }
    }

    /// Removes the empty folder at `path`.
    public func removeEmptyFolder(_ path: String) throws {
        let (folder, name) = try openParent(of: try ConfinedPath(path), shown: path)
        defer { close(folder) }
        guard unlinkat(folder, name, AT_REMOVEDIR) == 0 else {
            throw errno == ENOTEMPTY || errno == EEXIST
                ? ConfinedFileError.refused(path, "the folder is not empty") : ConfinedFileError.from(errno, "remove", path)
        }
    }

    /// Throws unless `mode` is permission bits a tenant may set: no set-uid or set-gid.
    static func checkMode(_ mode: UInt32, _ path: String) throws {
        guard mode & 0o6000 == 0 else { throw ConfinedFileError.refused(path, "set-uid and set-gid bits may not be set") }
        guard mode <= 0o7777 else { throw ConfinedFileError.refused(path, "a mode has only permission bits (at most 7777)") }
    }

    static func exists(_ name: String, in folder: Int32) -> Bool {
        var status = stat()
        return fstatat(folder, name, &status, AT_SYMLINK_NOFOLLOW) == 0
    }

    // MARK: - Walking entries without following them

    /// Removes `name` from `folder`: a folder after its contents, anything else (links included) by unlinking it.
    static func removeEntry(_ name: String, in folder: Int32) throws {
        if unlinkat(folder, name, 0) == 0 { return }
        guard errno == EISDIR else { throw ConfinedFileError.from(errno, "delete", name) }
        // O_NOFOLLOW | O_DIRECTORY: a folder swapped for a link since fails here and is unlinked on the next try.
        let inner = openat(folder, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard inner >= 0 else {
            guard errno == ELOOP || errno == ENOTDIR else { throw ConfinedFileError.from(errno, "open", name) }
            return try removeEntry(name, in: folder)
        }
        defer { close(inner) }
        for child in try Self.names(in: inner) {
            try removeEntry(child, in: inner)
        }
        guard unlinkat(folder, name, AT_REMOVEDIR) == 0 else { throw ConfinedFileError.from(errno, "delete", name) }
    }

    private func copyEntry(_ name: String, in sourceFolder: Int32, to newName: String, in targetFolder: Int32, shown: String) throws {
        var status = stat()
        guard fstatat(sourceFolder, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { throw ConfinedFileError.from(errno, "stat", shown) }
        switch status.st_mode & S_IFMT {
        case S_IFLNK:
            let target = try Self.linkTarget(of: name, in: sourceFolder, action: "read the link", shown: shown)
            guard symlinkat(target, targetFolder, newName) == 0 else { throw ConfinedFileError.from(errno, "copy", shown) }
            giveToOwner(newName, in: targetFolder)
        case S_IFDIR:
            let source = openat(sourceFolder, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard source >= 0 else { throw ConfinedFileError.from(errno, "open", shown) }
            defer { close(source) }
            guard mkdirat(targetFolder, newName, mode_t(status.st_mode & 0o777)) == 0 else { throw ConfinedFileError.from(errno, "copy", shown) }
            giveToOwner(newName, in: targetFolder)
            let target = openat(targetFolder, newName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard target >= 0 else { throw ConfinedFileError.from(errno, "open the copy of", shown) }
            defer { close(target) }
            for child in try Self.names(in: source) {
                try copyEntry(child, in: source, to: child, in: target, shown: shown + "/" + child)
            }
        case S_IFREG:
            let source = openat(sourceFolder, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard source >= 0 else { throw ConfinedFileError.from(errno, "open", shown) }
            defer { close(source) }
            let target = openat(targetFolder, newName, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(status.st_mode & 0o777))
            guard target >= 0 else { throw ConfinedFileError.from(errno, "copy", shown) }
            defer { close(target) }
            if let owner { fchown(target, owner.uid, owner.gid) }
            try Self.pump(from: source, to: target, shown: shown)
        default:
            // FIFOs, sockets and devices a server made are not files to copy.
            return
        }
    }

    /// Copies every byte from one open file to another.
    private static func pump(from source: Int32, to target: Int32, shown: String) throws {
        var buffer = [UInt8](repeating: 0, count: 256 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(source, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw ConfinedFileError.from(errno, "read", shown) }
            if count == 0 { return }
            try buffer.withUnsafeBytes { try writeAll(UnsafeRawBufferPointer(rebasing: $0[0..<count]), to: target, shown: shown) }
        }
    }
}
