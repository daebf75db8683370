import NIOCore

/// Reads the fields of one SFTP packet (draft-ietf-secsh-filexfer-02, section 3: big-endian integers,
/// strings prefixed by a uint32 length). A field that runs past the packet's end makes the packet
/// malformed; text that is not UTF-8 does not, it is noted so the one request can be refused.
struct SFTPFieldReader {
    private var buffer: ByteBuffer
    /// Whether a text field was not UTF-8 (or a path held a NUL, which no file name can), in which case
    /// the request is answered BAD_MESSAGE and the session goes on.
    private(set) var foundInvalidText = false

    init(_ packet: ByteBuffer) {
        buffer = packet
    }

    mutating func readByte() throws(SFTPProtocolError) -> UInt8 {
        guard let byte = buffer.readInteger(as: UInt8.self) else { throw .malformed("the packet ends inside a byte field") }
        return byte
    }

    mutating func readUInt32() throws(SFTPProtocolError) -> UInt32 {
        guard let value = buffer.readInteger(as: UInt32.self) else { throw .malformed("the packet ends inside a uint32 field") }
        return value
    }

    mutating func readUInt64() throws(SFTPProtocolError) -> UInt64 {
        guard let value = buffer.readInteger(as: UInt64.self) else { throw .malformed("the packet ends inside a uint64 field") }
        return value
    }

    /// A string field's bytes, as a slice of the packet (no copy).
    mutating func readBytes() throws(SFTPProtocolError) -> ByteBuffer {
        let length = try readUInt32()
        guard length <= buffer.readableBytes, let bytes = buffer.readSlice(length: Int(length)) else {
            throw .malformed("a string of \(length) bytes runs past the packet's end")
        }
        return bytes
    }

    /// A string field as UTF-8 text; empty, and noted, when it is not UTF-8.
    mutating func readText() throws(SFTPProtocolError) -> String {
        let bytes = try readBytes()
        guard let text = String(validating: bytes.readableBytesView, as: UTF8.self) else {
            foundInvalidText = true
            return ""
        }
        return text
    }

    /// A path field, as sent (not normalised); empty, and noted, when it is not UTF-8 or holds a NUL.
    mutating func readPath() throws(SFTPProtocolError) -> String {
        let path = try readText()
        if path.utf8.contains(0) {
            foundInvalidText = true
            return ""
        }
        return path
    }

    mutating func readHandle() throws(SFTPProtocolError) -> SFTPHandle {
        SFTPHandle(bytes: Array(try readBytes().readableBytesView))
    }

    /// An ATTRS structure (section 5); extended pairs are read and dropped, unknown flag bits ignored.
    mutating func readAttributes() throws(SFTPProtocolError) -> SFTPAttributes {
        let flags = SFTPAttributeFlags(rawValue: try readUInt32())
        var attributes = SFTPAttributes()
        if flags.contains(.size) {
            attributes.size = try readUInt64()
        }
        if flags.contains(.ids) {
            attributes.ids = (user: try readUInt32(), group: try readUInt32())
        }
        if flags.contains(.permissions) {
            attributes.permissions = try readUInt32()
        }
        if flags.contains(.times) {
            attributes.times = (access: try readUInt32(), modification: try readUInt32())
        }
        if flags.contains(.extended) {
            let count = try readUInt32()
            // Each pair takes at least 8 bytes, so a count the packet cannot hold fails at its first short pair.
            for _ in 0..<count {
                _ = try readBytes()
                _ = try readBytes()
            }
        }
        return attributes
    }
}
