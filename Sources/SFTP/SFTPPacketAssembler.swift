import NIOCore

/// Cuts the byte stream of a session into packets (a uint32 length, then that many bytes), whatever
/// the points the bytes arrived split at. A length over the limit is refused as soon as it is read, so
/// what is held stays bounded by one packet plus the bytes that came with it.
struct SFTPPacketAssembler {
    private let maximumPacketLength: Int
    private var pending = ByteBuffer()

    init(maximumPacketLength: Int) {
        self.maximumPacketLength = maximumPacketLength
    }

    /// Whether part of a packet is waiting for the rest.
    var holdsPartialPacket: Bool { pending.readableBytes > 0 }

    mutating func append(_ bytes: ByteBuffer) {
        if pending.readableBytes == 0 {
            // Nothing waits, so the new bytes can be kept as they are, without a copy.
            pending = bytes
        } else {
            pending.writeImmutableBuffer(bytes)
        }
    }

    /// The next whole packet's body (after its length), or nil until more bytes come.
    mutating func nextPacket() throws(SFTPProtocolError) -> ByteBuffer? {
        guard let length = pending.getInteger(at: pending.readerIndex, as: UInt32.self) else { return nil }
        guard length <= maximumPacketLength else { throw .packetTooLarge(Int(length)) }
        guard length > 0 else { throw .malformed("a packet of length 0 has no type") }
        guard pending.readableBytes >= 4 + Int(length) else {
            // Make room for the rest of a large packet by dropping what has been read already.
            pending.discardReadBytes()
            return nil
        }
        pending.moveReaderIndex(forwardBy: 4)
        return pending.readSlice(length: Int(length))
    }
}
