/// One packet from the client, decoded.
enum SFTPIncomingPacket {
    case initialize(version: UInt32)
    case request(id: UInt32, SFTPRequest)
    /// A request whose fields are all in place but whose text is not UTF-8 (or a path with a NUL): it
    /// is refused with BAD_MESSAGE and the session goes on.
    case undecodableText(id: UInt32)
}
