import Foundation

/// One entry of an instance's files as the daemon lists it: never followed, so a link is a link, with
/// where it points and whether that stays inside the volume.
public struct VolumeEntry: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case file, folder, link, other
    }

    /// Where a link leads: inside the volume, out of it (refused everywhere, shown broken), or nowhere.
    public enum LinkState: String, Codable, Sendable {
        case inside, outside, dangling
    }

    public var name: String
    public var kind: Kind
    public var size: Int64
    /// The permission bits in octal, as `chmod` takes them: `"644"`.
    public var mode: String
    /// When it last changed, ISO 8601.
    public var modified: String
    public var linkTarget: String?
    public var linkState: LinkState?

    public init(name: String, kind: Kind, size: Int64, mode: String, modified: String, linkTarget: String? = nil, linkState: LinkState? = nil) {
        self.name = name
        self.kind = kind
        self.size = size
        self.mode = mode
        self.modified = modified
        self.linkTarget = linkTarget
        self.linkState = linkState
    }
}

/// `GET` a folder's entries: the folder's path as the daemon understood it, and what is in it.
public struct FolderListing: Codable, Sendable, Equatable {
    public var path: String
    public var entries: [VolumeEntry]

    public init(path: String, entries: [VolumeEntry]) {
        self.path = path
        self.entries = entries
    }
}
