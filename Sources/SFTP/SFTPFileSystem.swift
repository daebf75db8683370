import NIOCore

/// What an SFTP session reaches files through. The server hands every method a path it has already
/// made absolute and normalised (`/`, `/a/b`: no `.`, no `..`, no empty or trailing components, `..`
/// clamped at the root), so an implementation sees nothing but names below its root; it still decides,
/// by its own means, what those names may reach. Errors it throws that are not ``SFTPError`` reach the
/// client as ``SFTPStatus/failure`` with their description.
public protocol SFTPFileSystem: Sendable {
    /// The entry at `path`; a link is followed when `followingLinks` (STAT), described itself otherwise (LSTAT).
    func attributes(at path: String, followingLinks: Bool) async throws -> SFTPAttributes
    /// Applies what `attributes` carries (size, permissions, times; ids are the implementation's to refuse).
    func setAttributes(_ attributes: SFTPAttributes, at path: String) async throws
    /// Opens the regular file at `path` as `flags` say; `attributes` carries the permissions of a new file.
    func openFile(_ path: String, flags: SFTPOpenFlags, attributes: SFTPAttributes) async throws -> any SFTPFile
    /// Every entry of the folder at `path`, `.` and `..` excluded.
    func listDirectory(_ path: String) async throws -> [SFTPDirectoryEntry]
    func removeFile(_ path: String) async throws
    func makeDirectory(_ path: String, attributes: SFTPAttributes) async throws
    /// Removes the empty folder at `path`.
    func removeDirectory(_ path: String) async throws
    /// Renames `source` to `destination`; with `replacing` false an existing destination is an error
    /// (SFTP v3's RENAME), with `replacing` true it is replaced (`posix-rename@openssh.com`).
    func rename(_ source: String, to destination: String, replacing: Bool) async throws
    /// The target of the link at `path`, as stored.
    func readLink(_ path: String) async throws -> String
    /// Makes a link at `path` whose target is `target`, as the client sent it (not normalised).
    func makeSymbolicLink(at path: String, pointingTo target: String) async throws
    /// The file system's figures for `statvfs@openssh.com`.
    func fileSystemStats(at path: String) async throws -> SFTPFileSystemStats
}

/// An open file of a session. Calls on one file never overlap.
public protocol SFTPFile: Sendable {
    /// Up to `count` bytes from `offset`; empty at or past the end.
    func read(at offset: UInt64, count: Int) async throws -> ByteBuffer
    func write(_ bytes: ByteBuffer, at offset: UInt64) async throws
    func attributes() async throws -> SFTPAttributes
    func setAttributes(_ attributes: SFTPAttributes) async throws
    /// Flushes what was written to stable storage (`fsync@openssh.com`).
    func sync() async throws
    /// Called once, when the client closes the handle or the session ends.
    func close() async throws
}

/// The attributes SFTP v3 carries; a field that is nil is absent from the message.
public struct SFTPAttributes: Sendable, Equatable {
    public var size: UInt64?
    /// Owner and group travel together.
    public var ids: (user: UInt32, group: UInt32)?
    /// The mode, file type bits included (`S_IFREG | 0o644`).
    public var permissions: UInt32?
    /// Access and modification times, seconds since 1970, travel together.
    public var times: (access: UInt32, modification: UInt32)?

    public init(
        size: UInt64? = nil,
        ids: (user: UInt32, group: UInt32)? = nil,
        permissions: UInt32? = nil,
        times: (access: UInt32, modification: UInt32)? = nil
    ) {
        self.size = size
        self.ids = ids
        self.permissions = permissions
        self.times = times
    }

    public static func == (left: SFTPAttributes, right: SFTPAttributes) -> Bool {
        left.size == right.size && left.ids?.user == right.ids?.user && left.ids?.group == right.ids?.group
            && left.permissions == right.permissions && left.times?.access == right.times?.access
            && left.times?.modification == right.times?.modification
    }
}

/// SSH_FXF_* of an OPEN request.
public struct SFTPOpenFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let read = SFTPOpenFlags(rawValue: 0x01)
    public static let write = SFTPOpenFlags(rawValue: 0x02)
    public static let append = SFTPOpenFlags(rawValue: 0x04)
    public static let create = SFTPOpenFlags(rawValue: 0x08)
    public static let truncate = SFTPOpenFlags(rawValue: 0x10)
    public static let exclusive = SFTPOpenFlags(rawValue: 0x20)
}

/// One entry of a listing. Without a `longName` the server writes one as `ls -l` would.
public struct SFTPDirectoryEntry: Sendable, Equatable {
    public var name: String
    public var longName: String?
    public var attributes: SFTPAttributes

    public init(name: String, longName: String? = nil, attributes: SFTPAttributes) {
        self.name = name
        self.longName = longName
        self.attributes = attributes
    }
}

/// What `statvfs@openssh.com` answers, as statvfs(3) names it.
public struct SFTPFileSystemStats: Sendable, Equatable {
    public var blockSize: UInt64
    public var fragmentSize: UInt64
    public var blocks: UInt64
    public var freeBlocks: UInt64
    public var availableBlocks: UInt64
    public var files: UInt64
    public var freeFiles: UInt64
    public var availableFiles: UInt64
    public var fileSystemID: UInt64
    /// ST_RDONLY (1), ST_NOSUID (2).
    public var flags: UInt64
    public var maximumNameLength: UInt64

    public init(
        blockSize: UInt64,
        fragmentSize: UInt64,
        blocks: UInt64,
        freeBlocks: UInt64,
        availableBlocks: UInt64,
        files: UInt64,
        freeFiles: UInt64,
        availableFiles: UInt64,
        fileSystemID: UInt64,
        flags: UInt64,
        maximumNameLength: UInt64
    ) {
        self.blockSize = blockSize
        self.fragmentSize = fragmentSize
        self.blocks = blocks
        self.freeBlocks = freeBlocks
        self.availableBlocks = availableBlocks
        self.files = files
        self.freeFiles = freeFiles
        self.availableFiles = availableFiles
        self.fileSystemID = fileSystemID
        self.flags = flags
        self.maximumNameLength = maximumNameLength
    }
}

/// SSH_FX_* status codes of SFTP v3.
public enum SFTPStatus: UInt32, Sendable {
    case ok = 0
    case endOfFile = 1
    case noSuchFile = 2
    case permissionDenied = 3
    case failure = 4
    case badMessage = 5
    case noConnection = 6
    case connectionLost = 7
    case operationUnsupported = 8
}

/// A refusal a file system gives the client: a status and a message that says why (SFTP v3 has no
/// status for a full disk or a quota, so the message carries that reason).
public struct SFTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: SFTPStatus
    public var message: String

    public init(_ status: SFTPStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }
}
