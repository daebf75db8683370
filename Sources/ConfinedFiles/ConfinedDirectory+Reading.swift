import CConfinedFiles
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension ConfinedDirectory {
    /// The entries of the folder at `path`, each described without following it.
    public func list(_ path: String) throws -> [FileEntry] {
        let folderPath = try ConfinedPath(path)
        let folder = try resolve(folderPath, flags: O_RDONLY | O_DIRECTORY, shown: path)
        defer { close(folder) }
        // An entry deleted between the listing and its description is left out, not an error.
        return try Self.names(in: folder).compactMap { name in
            try? describe(name, in: folder, at: folderPath.appending(name))
        }
    }

    /// The entry at `path`, described without following it.
    public func entry(at path: String) throws -> FileEntry {
        let confined = try ConfinedPath(path)
        if confined.isRoot {
            let folder = try resolve(confined, flags: berth_open_path | O_DIRECTORY, shown: path)
            defer { close(folder) }
            var status = stat()
            guard fstat(folder, &status) == 0 else { throw ConfinedFileError.system("stat \(path)", errno) }
            return FileEntry(name: "", status: status, link: nil)
        }
        let (folder, name) = try openParent(of: confined, shown: path)
        defer { close(folder) }
        return try describe(name, in: folder, at: confined, shown: path)
    }

    /// The contents of the regular file at `path`, or nil when there is none. Anything else there (a
    /// folder, a FIFO that would block, a device) or a file over ``readLimit`` is an error.
    public func read(_ path: String) throws -> Data? {
        let file: OpenFile
        do {
            file = try openFile(path)
        } catch ConfinedFileError.notFound {
            return nil
        }
        guard file.size <= Self.readLimit else { throw ConfinedFileError.tooLarge(path, limit: Self.readLimit) }
        var data = Data()
        while true {
            let chunk = try file.read(at: Int64(data.count), upTo: 64 << 10)
            if chunk.isEmpty { return data }
            data.append(contentsOf: chunk)
            guard data.count <= Self.readLimit else { throw ConfinedFileError.tooLarge(path, limit: Self.readLimit) }
        }
    }

    /// The regular file at `path`, opened for reading in pieces (downloads, copies).
    public func openFile(_ path: String) throws -> OpenFile {
        let descriptor = try resolve(try ConfinedPath(path), flags: O_RDONLY | O_NONBLOCK | O_NOCTTY, shown: path)
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let error = errno
            close(descriptor)
            throw ConfinedFileError.system("stat \(path)", error)
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw ConfinedFileError.notARegularFile(path)
        }
        return OpenFile(descriptor: descriptor, status: status, path: path)
    }

    /// `name` in the open `folder` (which is `path`'s), not followed; a link's target is read and tried
    /// from the root, to say whether it stays inside.
    func describe(_ name: String, in folder: Int32, at path: ConfinedPath, shown: String? = nil) throws -> FileEntry {
        var status = stat()
        guard fstatat(folder, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else {
            throw ConfinedFileError.from(errno, "stat", shown ?? path.description)
        }
        guard status.st_mode & S_IFMT == S_IFLNK else { return FileEntry(name: name, status: status, link: nil) }
        let bytes = (try? Self.linkTarget(of: name, in: folder, action: "read the link", shown: name))?.dropLast() ?? []
        let target = String(decoding: bytes.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return FileEntry(name: name, status: status, link: (target, linkState(of: path)))
    }

    /// Where the link at `path` leads, resolved as every other path is.
    private func linkState(of path: ConfinedPath) -> FileEntry.LinkState {
        // A component walk follows no link at all.
        guard resolution == .kernel else { return .outside }
        do {
            close(try resolve(path, flags: berth_open_path))
            return .inside
        } catch ConfinedFileError.notFound {
            return .dangling
        } catch {
            return .outside
        }
    }
}

/// A regular file opened for reading, read in pieces at any offset (so one download can serve a range).
public final class OpenFile: Sendable {
    let descriptor: Int32
    public let size: Int64
    public let modified: Date
    let path: String

    init(descriptor: Int32, status: stat, path: String) {
        self.descriptor = descriptor
        size = Int64(status.st_size)
        modified = Date(timeIntervalSince1970: Double(status.st_mtim.tv_sec))
        self.path = path
    }

    deinit { close(descriptor) }

    /// Up to `count` bytes from `offset`; empty at the end of the file.
    public func read(at offset: Int64, upTo count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let read = try buffer.withUnsafeMutableBytes { try self.read(at: offset, into: $0) }
        buffer.removeLast(count - read)
        return buffer
    }

    /// Reads up to `buffer.count` bytes from `offset` into `buffer`: how many, 0 at the end of the file.
    public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let read = pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
            if read < 0, errno == EINTR { continue }
            guard read >= 0 else { throw ConfinedFileError.system("read \(path)", errno) }
            return read
        }
    }
}
