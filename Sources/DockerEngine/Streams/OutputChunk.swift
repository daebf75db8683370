import NIOCore

/// A piece of a container's output, from attach or logs, with the stream it came from.
public struct OutputChunk: Sendable, Equatable {
    public enum Stream: UInt8, Sendable {
        case stdin = 0
        case stdout = 1
        case stderr = 2
    }

    public let stream: Stream
    public let bytes: ByteBuffer

    public init(stream: Stream, bytes: ByteBuffer) {
        self.stream = stream
        self.bytes = bytes
    }

    /// The bytes as text; invalid UTF-8 is replaced rather than dropped.
    public var text: String { String(buffer: bytes) }
}
