import NIOCore

/// What a client asks, decoded: the SFTP v3 requests and the OpenSSH extensions this server answers.
/// Paths are as sent; the session normalises them.
enum SFTPRequest {
    case openFile(path: String, flags: SFTPOpenFlags, attributes: SFTPAttributes)
    case close(SFTPHandle)
    case read(SFTPHandle, offset: UInt64, length: UInt32)
    case write(SFTPHandle, offset: UInt64, bytes: ByteBuffer)
    /// STAT (links followed) and LSTAT (not).
    case attributes(path: String, followingLinks: Bool)
    case handleAttributes(SFTPHandle)
    case setAttributes(SFTPAttributes, path: String)
    case setHandleAttributes(SFTPAttributes, SFTPHandle)
    case openDirectory(path: String)
    case readDirectory(SFTPHandle)
    case removeFile(path: String)
    case makeDirectory(path: String, attributes: SFTPAttributes)
    case removeDirectory(path: String)
    case resolvePath(String)
    /// RENAME (not replacing) and `posix-rename@openssh.com` (replacing).
    case rename(source: String, destination: String, replacing: Bool)
    case readLink(path: String)
    case makeSymbolicLink(path: String, target: String)
    case fileSystemStats(path: String)
    case handleFileSystemStats(SFTPHandle)
    case sync(SFTPHandle)
    case limits
    /// A well-formed request this server does not offer; the text names it.
    case unsupported(String)
}
