import NIOCore

/// Turns console bytes into text without breaking a character that arrives split across two chunks
/// (a Minecraft `§` colour code is two bytes, and a read can end between them).
struct UTF8Reassembler {
    private var held: [UInt8] = []

    /// The text of everything complete so far; an unfinished character waits for the next chunk.
    mutating func text(from buffer: ByteBuffer) -> String {
        let bytes = held + Array(buffer.readableBytesView)
        let complete = Self.completePrefixLength(bytes)
        held = Array(bytes[complete...])
        return String(decoding: bytes[..<complete], as: UTF8.self)
    }

    /// The length of the longest prefix that does not end inside a multi-byte sequence.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        var start = bytes.count
        var continuations = 0
        while start > 0, continuations < 3, bytes[start - 1] & 0xC0 == 0x80 {
            start -= 1
            continuations += 1
        }
        guard start > 0 else { return bytes.count }
        let lead = bytes[start - 1]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        return length > continuations + 1 ? start - 1 : bytes.count
    }
}
