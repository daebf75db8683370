import CArchive
import CConfinedFiles
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension ConfinedDirectory {
    /// Packs the entries `names` of the folder `folder` into a new archive at `archive` (written beside and
    /// renamed into place when complete, so a failure leaves no half archive). Folders go in whole, links
    /// as links (their targets are never read), files by their bytes; names inside are relative to `folder`.
    @discardableResult
    public func compress(_ names: [String], in folder: String, to archive: String, format: ArchiveFormat) throws -> ArchiveSummary {
        guard !names.isEmpty else { throw ConfinedFileError.refused(archive, "name at least one file or folder to put in it") }
        let writer = try beginWrite(to: archive)
        // The archive being written may sit in the folder packed: it is not packed into itself.
        let summary = try pack(names, in: folder, into: writer.descriptor, format: format, shown: archive, skipping: writer.temporaryName)
        try writer.commit()
        return summary
    }

    /// Packs the entries `names` of the folder `folder` (all of them when nil) into the file open at
    /// `descriptor`, which the caller made and keeps: an archive outside the root, such as a backup. As
    /// ``compress(_:in:to:format:)``: links as links, folders whole; `shown` names the archive in errors.
    /// What `ignoring` excludes (paths relative to `folder`) is left out, and a folder it excludes not entered.
    /// `progress` hears the bytes of files packed so far, as they grow.
    @discardableResult
    public func pack(
        _ names: [String]? = nil,
        in folder: String = "/",
        into descriptor: Int32,
        format: ArchiveFormat,
        shown: String,
        skipping temporary: String = "",
        ignoring: IgnorePatterns = IgnorePatterns(""),
        progress: ((Int64) -> Void)? = nil
    ) throws -> ArchiveSummary {
        let source = try resolve(try ConfinedPath(folder), flags: O_RDONLY | O_DIRECTORY, shown: folder)
        defer { close(source) }
        guard let packer = archive_write_new() else { throw ConfinedFileError.system("write \(shown)", ENOMEM) }
        defer { archive_write_free(packer) }
        switch format {
        case .zip:
            archive_write_set_format_zip(packer)
        case .tarGz:
            archive_write_set_format_pax_restricted(packer)
            archive_write_add_filter_gzip(packer)
        case .tarZst:
            archive_write_set_format_pax_restricted(packer)
            archive_write_add_filter_zstd(packer)
        }
        guard archive_write_open_fd(packer, descriptor) == ARCHIVE_OK else { throw Self.unwritable(shown, packer) }
        var summary = (entries: 0, bytes: Int64(0), skipped: 0)
        for name in try names ?? Self.names(in: source).sorted() {
            guard !name.isEmpty, !name.contains("/"), name != "..", name != "." else {
                throw ConfinedFileError.invalidPath(name, "name entries of the folder itself")
            }
            try pack(
                name,
                in: source,
                as: name,
                into: packer,
                archive: shown,
                skipping: temporary,
                ignoring: ignoring,
                progress: progress,
                summary: &summary
            )
        }
        guard archive_write_close(packer) == ARCHIVE_OK else { throw Self.unwritable(shown, packer) }
        return ArchiveSummary(entries: summary.entries, bytes: summary.bytes, skipped: summary.skipped)
    }

    private func pack(
        _ name: String,
        in folder: Int32,
        as path: String,
        into packer: OpaquePointer,
        archive: String,
        skipping temporary: String,
        ignoring: IgnorePatterns,
        progress: ((Int64) -> Void)?,
        summary: inout (entries: Int, bytes: Int64, skipped: Int)
    ) throws {
        var status = stat()
        guard fstatat(folder, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { throw ConfinedFileError.from(errno, "pack", path) }
        if !ignoring.isEmpty, ignoring.excludes(path, isFolder: status.st_mode & S_IFMT == S_IFDIR) { return }
        guard let entry = archive_entry_new() else { throw ConfinedFileError.system("pack \(path)", ENOMEM) }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname_utf8(entry, path)
        archive_entry_set_perm(entry, status.st_mode & 0o777)
        archive_entry_set_mtime(entry, status.st_mtim.tv_sec, 0)
        switch status.st_mode & S_IFMT {
        case S_IFDIR:
            let inner = openat(folder, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard inner >= 0 else { throw ConfinedFileError.from(errno, "pack", path) }
            defer { close(inner) }
            archive_entry_set_filetype(entry, UInt32(Glibc.S_IFDIR))
            guard archive_write_header(packer, entry) == ARCHIVE_OK else { throw Self.unwritable(archive, packer) }
            summary.entries += 1
            for child in try Self.names(in: inner).sorted() where child != temporary {
                try pack(
                    child,
                    in: inner,
                    as: path + "/" + child,
                    into: packer,
                    archive: archive,
                    skipping: temporary,
                    ignoring: ignoring,
                    progress: progress,
                    summary: &summary
                )
            }
        case S_IFLNK:
            let target = try Self.linkTarget(of: name, in: folder, action: "pack", shown: path)
            archive_entry_set_filetype(entry, UInt32(Glibc.S_IFLNK))
            archive_entry_set_symlink(entry, target)
            guard archive_write_header(packer, entry) == ARCHIVE_OK else { throw Self.unwritable(archive, packer) }
            summary.entries += 1
        case S_IFREG:
            guard name != temporary else { return }
            let file = openat(folder, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard file >= 0 else { throw ConfinedFileError.from(errno, "pack", path) }
            defer { close(file) }
            archive_entry_set_filetype(entry, UInt32(Glibc.S_IFREG))
            archive_entry_set_size(entry, Int64(status.st_size))
            guard archive_write_header(packer, entry) == ARCHIVE_OK else { throw Self.unwritable(archive, packer) }
            var buffer = [UInt8](repeating: 0, count: 256 << 10)
            var left = Int64(status.st_size)
            // Exactly the size the header declared: a file that grows meanwhile is cut, one that shrinks fails.
            while left > 0 {
                let count = buffer.withUnsafeMutableBytes { Glibc.read(file, $0.baseAddress, min($0.count, Int(left))) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { throw ConfinedFileError.refused(path, "it changed while it was being packed") }
                guard buffer.withUnsafeBytes({ archive_write_data(packer, $0.baseAddress, count) }) == count else {
                    throw Self.unwritable(archive, packer)
                }
                left -= Int64(count)
                progress?(summary.bytes + Int64(status.st_size) - left)
            }
            summary.entries += 1
            summary.bytes += Int64(status.st_size)
        default:
            summary.skipped += 1
        }
    }

    static func unwritable(_ path: String, _ packer: OpaquePointer) -> ConfinedFileError {
        let code = archive_errno(packer)
        if code == ENOSPC || code == EDQUOT { return .system("write \(path)", code) }
        let reason = archive_error_string(packer).map { String(cString: $0) } ?? "libarchive failed"
        return .refused(path, "the archive could not be written (\(reason))")
    }
}
