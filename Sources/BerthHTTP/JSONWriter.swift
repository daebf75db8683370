import NIOCore

/// Writes JSON straight into a buffer, byte for byte as `JSONEncoder` with `.sortedKeys` writes the same
/// values (`JSONWriterTests` holds the two side by side), for the answers the API writes most: an
/// instance, and lists of thousands of them, where encoding through `Codable` was most of a request's
/// work (docs/performance.md). Fields must be written in sorted order of their keys, as the encoder sorts
/// them; optional fields that are nil are left out, as synthesized `Encodable` leaves them out.
public struct JSONWriter {
    public private(set) var buffer: ByteBuffer
    /// Whether the object being written has no field yet (no comma before the next).
    private var isEmpty = true

    public init(into buffer: ByteBuffer = ByteBuffer()) {
        self.buffer = buffer
    }

    /// An object whose fields `body` writes.
    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        buffer.writeInteger(UInt8(ascii: "{"))
        let outer = isEmpty
        isEmpty = true
        body(&self)
        isEmpty = outer
        buffer.writeInteger(UInt8(ascii: "}"))
    }

    public mutating func field(_ key: StaticString, _ value: String) {
        writeKey(key)
        writeString(value)
    }

    public mutating func field(_ key: StaticString, _ value: String?) {
        guard let value else { return }
        field(key, value)
    }

    public mutating func field(_ key: StaticString, _ value: Int) {
        writeKey(key)
        buffer.writeString(String(value))
    }

    public mutating func field(_ key: StaticString, _ value: Bool) {
        writeKey(key)
        buffer.writeStaticString(value ? "true" : "false")
    }

    /// A finite number as the encoder writes one: the shortest form that reads back the same, without a
    /// trailing `.0`.
    public mutating func field(_ key: StaticString, _ value: Double) {
        writeKey(key)
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        buffer.writeString(text)
    }

    /// A string-to-string dictionary, its keys sorted as the encoder sorts them.
    public mutating func field(_ key: StaticString, _ dictionary: [String: String]) {
        writeKey(key)
        buffer.writeInteger(UInt8(ascii: "{"))
        for (index, entry) in dictionary.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            writeString(entry.key)
            buffer.writeInteger(UInt8(ascii: ":"))
            writeString(entry.value)
        }
        buffer.writeInteger(UInt8(ascii: "}"))
    }

    /// An array of values that write themselves.
    public mutating func array(_ elements: [some JSONWritable]) {
        buffer.writeInteger(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { comma() }
            element.write(to: &self)
        }
        buffer.writeInteger(UInt8(ascii: "]"))
    }

    /// The comma between two elements of an array the caller writes.
    public mutating func comma() {
        buffer.writeInteger(UInt8(ascii: ","))
    }

    /// A field whose value is an object.
    public mutating func field(_ key: StaticString, object body: (inout JSONWriter) -> Void) {
        writeKey(key)
        object(body)
    }

    private mutating func writeKey(_ key: StaticString) {
        if !isEmpty { buffer.writeInteger(UInt8(ascii: ",")) }
        isEmpty = false
        buffer.writeInteger(UInt8(ascii: "\""))
        buffer.writeStaticString(key)
        buffer.writeStaticString("\":")
    }

    /// A string with what JSON requires escaped, and `/` as the encoder escapes it by default.
    private mutating func writeString(_ text: String) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for (index, byte) in bytes.enumerated()
            where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "/") {
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start..<index]))
                start = index + 1
                switch byte {
                case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case UInt8(ascii: "/"): buffer.writeStaticString("\\/")
                case 0x08: buffer.writeStaticString("\\b")
                case 0x0C: buffer.writeStaticString("\\f")
                case 0x0A: buffer.writeStaticString("\\n")
                case 0x0D: buffer.writeStaticString("\\r")
                case 0x09: buffer.writeStaticString("\\t")
                default:
                    buffer.writeStaticString("\\u00")
                    buffer.writeInteger(Self.hexDigits[Int(byte >> 4)])
                    buffer.writeInteger(Self.hexDigits[Int(byte & 0x0F)])
                }
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start...]))
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}

/// A value the API writes with ``JSONWriter`` rather than `Codable`.
public protocol JSONWritable {
    func write(to writer: inout JSONWriter)
}

extension Array: JSONWritable where Element: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.array(self)
    }
}
