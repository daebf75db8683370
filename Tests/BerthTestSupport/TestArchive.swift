import CArchive
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Archives written entry by entry with libarchive, so a test can make the hostile ones no honest tool
/// makes: names that climb out or are absolute, links to the host, thousands of entries, huge files.
public enum TestArchive {
    public enum Entry {
        case file(String, Data)
        /// A file of `count` zero bytes, written in pieces (a zip bomb's payload compresses to almost nothing).
        case zeros(String, count: Int)
        case folder(String)
        case link(String, to: String)
    }

    public static func write(_ entries: [Entry], to path: String, zip: Bool = false) throws {
        guard let packer = archive_write_new() else { throw TestArchiveError("no archive") }
        defer { archive_write_free(packer) }
        if zip {
            archive_write_set_format_zip(packer)
        } else {
            archive_write_set_format_pax_restricted(packer)
            archive_write_add_filter_gzip(packer)
        }
        guard archive_write_open_filename(packer, path) == ARCHIVE_OK else { throw TestArchiveError("cannot open \(path)") }
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        for item in entries {
            guard let entry = archive_entry_new() else { throw TestArchiveError("no entry") }
            defer { archive_entry_free(entry) }
            switch item {
            case .file(let name, let data):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, UInt32(Glibc.S_IFREG))
                archive_entry_set_perm(entry, 0o644)
                archive_entry_set_size(entry, Int64(data.count))
                archive_write_header(packer, entry)
                _ = data.withUnsafeBytes { archive_write_data(packer, $0.baseAddress, data.count) }
            case .zeros(let name, let count):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, UInt32(Glibc.S_IFREG))
                archive_entry_set_perm(entry, 0o644)
                archive_entry_set_size(entry, Int64(count))
                archive_write_header(packer, entry)
                var left = count
                while left > 0 {
                    let piece = min(left, zeros.count)
                    _ = zeros.withUnsafeBytes { archive_write_data(packer, $0.baseAddress, piece) }
                    left -= piece
                }
            case .folder(let name):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, UInt32(Glibc.S_IFDIR))
                archive_entry_set_perm(entry, 0o755)
                archive_write_header(packer, entry)
            case .link(let name, let target):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, UInt32(Glibc.S_IFLNK))
                archive_entry_set_perm(entry, 0o777)
                archive_entry_set_symlink(entry, target)
                archive_write_header(packer, entry)
            }
        }
        guard archive_write_close(packer) == ARCHIVE_OK else { throw TestArchiveError("cannot finish \(path)") }
    }
}

public struct TestArchiveError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
