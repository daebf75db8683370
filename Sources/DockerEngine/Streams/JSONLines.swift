import Foundation
import NIOCore

/// Decodes a stream of newline-separated JSON values (Docker's progress, stats and events streams).
public struct JSONLines<Element: Decodable, Bytes: AsyncIteratorProtocol>: AsyncSequence where Bytes.Element == ByteBuffer {
    private let bytes: Bytes

    init(bytes: Bytes) {
        self.bytes = bytes
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(bytes: bytes)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var bytes: Bytes
        var pending = ByteBuffer()
        var finished = false
        let decoder = JSONDecoder()

        init(bytes: Bytes) {
            self.bytes = bytes
        }

        public mutating func next() async throws -> Element? {
            while true {
                if let line = nextLine() {
                    if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
                    do {
                        return try decoder.decode(Element.self, from: Data(line))
                    } catch {
                        throw DockerEngineError.malformedResponse(reason: "a line of a JSON stream: \(error)")
                    }
                }
                if finished { return nil }
                if var buffer = try await bytes.next() {
                    pending.writeBuffer(&buffer)
                } else {
                    finished = true
                    // A last value without a newline still counts.
                    if pending.readableBytes > 0 { pending.writeInteger(UInt8(ascii: "\n")) }
                }
            }
        }

        private mutating func nextLine() -> [UInt8]? {
            guard let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            let length = newline - pending.readerIndex
            let line = pending.readBytes(length: length) ?? []
            pending.moveReaderIndex(forwardBy: 1)
            if pending.readerIndex > 64 * 1024 { pending.discardReadBytes() }
            return line
        }
    }
}
