import NIOCore

/// A container's output as an async sequence of chunks, decoded from the raw bytes of a connection.
public struct ContainerOutput<Bytes: AsyncIteratorProtocol>: AsyncSequence where Bytes.Element == ByteBuffer {
    public typealias Element = OutputChunk

    private let bytes: Bytes
    private let isMultiplexed: Bool
    private let alreadyReceived: ByteBuffer?

    init(bytes: Bytes, isMultiplexed: Bool, alreadyReceived: ByteBuffer? = nil) {
        self.bytes = bytes
        self.isMultiplexed = isMultiplexed
        self.alreadyReceived = alreadyReceived
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(bytes: bytes, decoder: MultiplexedStreamDecoder(isMultiplexed: isMultiplexed), alreadyReceived: alreadyReceived)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var bytes: Bytes
        var decoder: MultiplexedStreamDecoder
        var ready: [OutputChunk] = []
        var alreadyReceived: ByteBuffer?

        init(bytes: Bytes, decoder: MultiplexedStreamDecoder, alreadyReceived: ByteBuffer?) {
            self.bytes = bytes
            self.decoder = decoder
            self.alreadyReceived = alreadyReceived
        }

        public mutating func next() async throws -> OutputChunk? {
            if let buffer = alreadyReceived {
                alreadyReceived = nil
                ready = decoder.decode(buffer)
            }
            while ready.isEmpty {
                guard let buffer = try await bytes.next() else { return nil }
                ready = decoder.decode(buffer)
            }
            return ready.removeFirst()
        }
    }
}
