import Foundation

/// One entry of a folder as the file manager shows it, described without following it: a link is a
/// link, with where it points and whether that stays inside the directory.
public struct FileEntry: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case file, folder, link, other
    }

    /// Where a link leads: to an entry inside the directory, out of it (refused, shown broken), or nowhere.
    public enum LinkState: String, Sendable {
        case inside, outside, dangling
    }

    public let name: String
    public let kind: Kind
    /// Bytes, for a file; what the folder or link itself takes otherwise.
    public let size: Int64
    /// The permission bits (`0o644`).
    public let mode: UInt32
    public let modified: Date
    public let linkTarget: String?
    public let linkState: LinkState?

    init(name: String, status: stat, link: (target: String, state: LinkState)?) {
        self.name = name
        kind = Self.kind(of: status.st_mode)
        size = Int64(status.st_size)
        mode = UInt32(status.st_mode) & 0o7777
        modified = Date(timeIntervalSince1970: Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9)
        linkTarget = link?.target
        linkState = link?.state
    }

    static func kind(of mode: mode_t) -> Kind {
        switch mode & S_IFMT {
        case S_IFREG: .file
        case S_IFDIR: .folder
        case S_IFLNK: .link
        default: .other
        }
    }
}
