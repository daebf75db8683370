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
