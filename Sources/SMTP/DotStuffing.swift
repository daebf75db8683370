/// Transparency in DATA (RFC 5321 4.5.2): a line of the message that starts with a dot gets a second one, so no
/// line of the message reads as the lone dot that ends it. The server removes the added dots.
enum DotStuffing {
    static func apply(_ message: String) -> String {
        var stuffed: [UInt8] = []
        stuffed.reserveCapacity(message.utf8.count + 16)
        var atLineStart = true
        for byte in message.utf8 {
            if atLineStart && byte == UInt8(ascii: ".") { stuffed.append(UInt8(ascii: ".")) }
            stuffed.append(byte)
            atLineStart = byte == UInt8(ascii: "\n")
        }
        return String(decoding: stuffed, as: UTF8.self)
    }
}
