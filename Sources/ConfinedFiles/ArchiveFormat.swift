/// The archives Berth writes. It reads more: zip, and tar plain or compressed with gzip, xz, zstd or bzip2
/// (libarchive tells them by their bytes, not their names).
public enum ArchiveFormat: String, Sendable, CaseIterable {
    case tarGz = "tar.gz"
    /// Zstandard: about as small as gzip at a fraction of the time, what backups are written in.
    case tarZst = "tar.zst"
    case zip
}

/// How much an extraction may unpack: checked against every entry's declared size before anything is
/// written, and against the bytes really unpacked while writing (a header may lie).
public struct ExtractionLimits: Sendable {
    public var maximumEntries: Int
    public var maximumBytes: Int64

    public init(maximumEntries: Int, maximumBytes: Int64) {
        self.maximumEntries = maximumEntries
        self.maximumBytes = maximumBytes
    }
}

/// What an archive held or was made of.
public struct ArchiveSummary: Sendable, Equatable {
    public let entries: Int
    public let bytes: Int64
    /// Entries left out: hard links, devices and FIFOs, which a game server's files have no use for.
    public let skipped: Int
}
