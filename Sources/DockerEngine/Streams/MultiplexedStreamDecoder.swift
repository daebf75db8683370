import NIOCore

/// Splits a container's output into chunks.
///
/// Without a terminal, Docker interleaves stdout and stderr on one connection, each frame behind an
/// 8-byte header: `[stream, 0, 0, 0, length as big-endian UInt32]`. With a terminal the bytes are raw.
struct MultiplexedStreamDecoder {
    let isMultiplexed: Bool
    private var pending = ByteBuffer()

    init(isMultiplexed: Bool) {
        self.isMultiplexed = isMultiplexed
    }

    /// Takes the bytes that arrived and returns every complete chunk they finish.
    mutating func decode(_ incoming: ByteBuffer) -> [OutputChunk] {
        guard isMultiplexed else {
            return incoming.readableBytes == 0 ? [] : [OutputChunk(stream: .stdout, bytes: incoming)]
        }
        var incoming = incoming
        pending.writeBuffer(&incoming)
        var chunks: [OutputChunk] = []
        while pending.readableBytes >= 8 {
            let start = pending.readerIndex
            guard let streamByte = pending.getInteger(at: start, as: UInt8.self),
                let length = pending.getInteger(at: start + 4, endianness: .big, as: UInt32.self),
                pending.readableBytes >= 8 + Int(length)
            else { break }
            pending.moveReaderIndex(forwardBy: 8)
            guard let payload = pending.readSlice(length: Int(length)) else { break }
            chunks.append(OutputChunk(stream: OutputChunk.Stream(rawValue: streamByte) ?? .stdout, bytes: payload))
        }
        pending.discardReadBytes()
        return chunks
    }
}
