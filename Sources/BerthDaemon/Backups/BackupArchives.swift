import BerthProtocol
import ConfinedFiles
import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The node's backups: one zstd-compressed tar per backup, `backups/<instance>/<backup>.tar.zst`, beside
/// the volumes and out of every container's reach, readable by the daemon alone. A backup is written
/// beside its final name and renamed when whole and on disk, so a name always means a complete archive.
struct BackupArchives: Sendable {
    let directory: String

    static let suffix = ".tar.zst"

    /// Packs everything in `files` into the new backup `backup` of `instance`, but for what the volume's
    /// ignore file leaves out (unless told not to honour it); links are stored as links.
    func write(
        _ backup: String,
        of instance: String,
        from files: ConfinedDirectory,
        honouringIgnoreFile: Bool = true,
        progress: BackupMeter? = nil
    ) throws -> BackupSummary {
        let folder = try self.folder(of: instance, creating: true)
        let name = try Self.fileName(of: backup)
        if (try? folder.entry(at: name)) != nil { throw BackupError.exists(backup) }
        let writer = try folder.beginWrite(to: name, mode: 0o600)
        let packed = try files.pack(
            into: writer.descriptor,
            format: .tarZst,
            shown: "backup \(backup)",
            ignoring: honouringIgnoreFile ? try Self.ignored(in: files) : IgnorePatterns(""),
            progress: progress.map { meter in { meter.packed.store($0, ordering: .relaxed) } }
        )
        try writer.commit()
        let file = try folder.openFile(name)
        return BackupSummary(size: file.size, sha256: try Self.sha256(of: file), entries: packed.entries, bytes: packed.bytes)
    }

    /// A new file for the backup's archive, fetched from object storage for a restore; the archive once
    /// committed.
    func beginFetch(_ backup: String, of instance: String) throws -> FileWriter {
        try folder(of: instance, creating: true).beginWrite(to: try Self.fileName(of: backup), mode: 0o600)
    }

    /// The backup's archive, open for reading.
    func open(_ backup: String, of instance: String) throws -> OpenFile {
        do {
            return try folder(of: instance, creating: false).openFile(try Self.fileName(of: backup))
        } catch ConfinedFileError.notFound {
            throw BackupError.missing(backup)
        }
    }

    /// Where the archive is on the host, once it is checked to have `sha256`.
    func checkedPath(of backup: String, of instance: String, sha256: String) throws -> String {
        guard try Self.sha256(of: try open(backup, of: instance)) == sha256.lowercased() else { throw BackupError.damaged(backup) }
        return (folderPath(of: instance) as NSString).appendingPathComponent(try Self.fileName(of: backup))
    }

    func remove(_ backup: String, of instance: String) throws {
        do {
            try folder(of: instance, creating: false).delete(try Self.fileName(of: backup))
        } catch ConfinedFileError.notFound {
            throw BackupError.missing(backup)
        }
    }

    /// Every backup of an instance that is deleted.
    func removeAll(of instance: String) throws {
        let path = folderPath(of: instance)
        guard FileManager.default.fileExists(atPath: path) else { return }
        try FileManager.default.removeItem(atPath: path)
    }

    /// The files `.berthignore` at the volume's root leaves out (or Pterodactyl's `.pteroignore`, for servers
    /// moved from there): gitignore's syntax. The tenant writes it, so only its first 64 KiB are read.
    static func ignored(in files: ConfinedDirectory) throws -> IgnorePatterns {
        for name in [".berthignore", ".pteroignore"] {
            guard let file = try? files.openFile(name) else { continue }
            let bytes = try file.read(at: 0, upTo: 64 << 10)
            return IgnorePatterns(String(decoding: bytes, as: UTF8.self))
        }
        return IgnorePatterns("")
    }

    // MARK: - Names and folders

    private func folderPath(of instance: String) -> String {
        (directory as NSString).appendingPathComponent(instance)
    }

    private func folder(of instance: String, creating: Bool) throws -> ConfinedDirectory {
        let path = folderPath(of: instance)
        if creating {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        do {
            return try ConfinedDirectory(path: path)
        } catch {
            throw creating ? error : BackupError.missing("of instance \(instance)")
        }
    }

    /// The panel names backups by UUID; nothing else becomes a file name here.
    static func fileName(of backup: String) throws -> String {
        guard let uuid = UUID(uuidString: backup), uuid.uuidString.lowercased() == backup.lowercased() else {
            throw BackupError.invalidName(backup)
        }
        return uuid.uuidString.lowercased() + suffix
    }

    static func sha256(of file: OpenFile) throws -> String {
        var hash = SHA256()
        var offset: Int64 = 0
        while true {
            let piece = try file.read(at: offset, upTo: 1 << 20)
            if piece.isEmpty { break }
            hash.update(data: piece)
            offset += Int64(piece.count)
        }
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
