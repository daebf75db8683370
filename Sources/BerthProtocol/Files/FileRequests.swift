import Foundation

/// `POST` to make a folder (with any missing above it).
public struct FolderRequest: Codable, Sendable {
    public var path: String

    public init(path: String) {
        self.path = path
    }
}

/// `POST` to move or copy one entry to a path that must not exist yet.
public struct FileTransferRequest: Codable, Sendable {
    public var from: String
    public var to: String

    public init(from: String, to: String) {
        self.from = from
        self.to = to
    }
}

/// `POST` to delete entries, folders with everything in them.
public struct FileDeletionRequest: Codable, Sendable {
    public var paths: [String]

    public init(paths: [String]) {
        self.paths = paths
    }
}

/// `POST` to set an entry's permission bits, given in octal as `chmod` takes them (`"755"`).
public struct FileModeRequest: Codable, Sendable {
    public var path: String
    public var mode: String

    public init(path: String, mode: String) {
        self.path = path
        self.mode = mode
    }
}

/// `POST` to pack entries of one folder into a new archive in it.
public struct ArchiveRequest: Codable, Sendable {
    /// The folder the entries are in; their names inside the archive are relative to it.
    public var folder: String
    public var names: [String]
    /// `tar.gz` or `zip`.
    public var format: String
    /// The archive's file name in `folder`; missing, one with the date and time is made up.
    public var name: String?

    public init(folder: String, names: [String], format: String, name: String? = nil) {
        self.folder = folder
        self.names = names
        self.format = format
        self.name = name
    }
}

/// `POST` to unpack an archive.
public struct ExtractionRequest: Codable, Sendable {
    public var path: String
    /// The folder to unpack into; missing, the archive's own folder.
    public var into: String?

    public init(path: String, into: String? = nil) {
        self.path = path
        self.into = into
    }
}

/// What an unpacked archive held.
public struct ExtractionAnswer: Codable, Sendable, Equatable {
    public var entries: Int
    public var bytes: Int64
    /// Entries left out: hard links, devices, FIFOs.
    public var skipped: Int

    public init(entries: Int, bytes: Int64, skipped: Int) {
        self.entries = entries
        self.bytes = bytes
        self.skipped = skipped
    }
}

/// `POST` to fetch a file from an http(s) URL into a folder, as a new file there.
public struct PullRequest: Codable, Sendable {
    public var url: String
    public var folder: String
    /// The new file's name; missing, the last part of the URL's path.
    public var name: String?

    public init(url: String, folder: String, name: String? = nil) {
        self.url = url
        self.folder = folder
        self.name = name
    }

    /// The name the file gets: ``name``, or the last part of the URL's path (empty when it has none).
    public var fileName: String {
        name ?? URL(string: url)?.lastPathComponent ?? ""
    }
}
