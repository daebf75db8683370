/// What one SFTP session may ask of the server; the defaults follow OpenSSH's `sftp-server`.
public struct SFTPServerLimits: Sendable, Equatable {
    /// The largest packet accepted, as its length field counts it; a client that announces a bigger one is
    /// cut off before its body is buffered. The default takes a 256 KiB WRITE with room for its header.
    public var maximumPacketLength: Int
    /// The most bytes one READ answers; a larger request is clamped (a short read is always allowed). The
    /// default, 255 KiB as OpenSSH's server has it, keeps a DATA reply inside the 256 KiB messages
    /// OpenSSH's client accepts, which sizes its reads by what `limits@openssh.com` says.
    public var maximumReadLength: Int
    /// Open file and directory handles per session; opening one more ends the session.
    public var maximumOpenHandles: Int

    public init(maximumPacketLength: Int = 256 * 1024 + 1024, maximumReadLength: Int = 255 * 1024, maximumOpenHandles: Int = 256) {
        self.maximumPacketLength = maximumPacketLength
        self.maximumReadLength = maximumReadLength
        self.maximumOpenHandles = maximumOpenHandles
    }

    /// The largest WRITE a client should send, as `limits@openssh.com` tells it: a packet less the room a
    /// WRITE's header takes (1 KiB, as OpenSSH reserves).
    public var maximumWriteLength: Int { max(maximumPacketLength - 1024, 0) }
}
