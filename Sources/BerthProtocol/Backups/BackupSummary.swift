/// What a node wrote for a backup: the archive's size and SHA-256 (which a restore must match), and what
/// went into it.
public struct BackupSummary: Codable, Sendable, Equatable {
    /// The archive's bytes on the node's disk.
    public var size: Int64
    /// Lowercase hex.
    public var sha256: String
    public var entries: Int
    /// The bytes of the files packed, before compression.
    public var bytes: Int64

    public init(size: Int64, sha256: String, entries: Int, bytes: Int64) {
        self.size = size
        self.sha256 = sha256
        self.entries = entries
        self.bytes = bytes
    }
}

/// How a node makes a backup: with `stopFirst`, the instance is stopped for it (a copy consistent to the
/// byte) and started again afterwards if it was running.
public struct BackupRequest: Codable, Sendable, Equatable {
    public var stopFirst: Bool

    public init(stopFirst: Bool = false) {
        self.stopFirst = stopFirst
    }
}

/// How far a backup being made has come: the bytes of files packed so far, of about `total` (what the
/// instance's files take, as last counted).
public struct BackupProgress: Codable, Sendable, Equatable {
    public var bytes: Int64
    public var total: Int64

    public init(bytes: Int64, total: Int64) {
        self.bytes = bytes
        self.total = total
    }

    /// 0 to 99 while under way: the last percent is the archive's closing and its upload.
    public var percent: Int {
        guard total > 0 else { return 0 }
        return Int(min(99, bytes * 100 / total))
    }
}

/// Restores a backup, once its archive still has the checksum the panel recorded when it was made: all of
/// it, or only the file or folder at `path`. A backup kept in object storage comes with the request that
/// fetches its archive (`source`), of at most `size` bytes.
public struct RestoreRequest: Codable, Sendable, Equatable {
    public var sha256: String
    public var path: String?
    public var source: ObjectRequest?
    public var size: Int64?

    public init(sha256: String, path: String? = nil, source: ObjectRequest? = nil, size: Int64? = nil) {
        self.sha256 = sha256
        self.path = path
        self.source = source
        self.size = size
    }
}
