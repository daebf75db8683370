import NIOCore
import SFTP

/// The message numbers of draft-ietf-secsh-filexfer-02, written out again here so the tests check the
/// server against the draft rather than against its own table.
enum MessageType {
    static let initialize: UInt8 = 1
    static let version: UInt8 = 2
    static let open: UInt8 = 3
    static let close: UInt8 = 4
    static let read: UInt8 = 5
    static let write: UInt8 = 6
    static let linkAttributes: UInt8 = 7
    static let handleAttributes: UInt8 = 8
    static let setAttributes: UInt8 = 9
    static let setHandleAttributes: UInt8 = 10
    static let openDirectory: UInt8 = 11
    static let readDirectory: UInt8 = 12
    static let remove: UInt8 = 13
    static let makeDirectory: UInt8 = 14
    static let removeDirectory: UInt8 = 15
    static let realPath: UInt8 = 16
    static let attributes: UInt8 = 17
    static let rename: UInt8 = 18
    static let readLink: UInt8 = 19
    static let symbolicLink: UInt8 = 20
    static let status: UInt8 = 101
    static let handle: UInt8 = 102
    static let data: UInt8 = 103
    static let name: UInt8 = 104
    static let attributesReply: UInt8 = 105
    static let extended: UInt8 = 200
    static let extendedReply: UInt8 = 201
}

/// One field of a request as a client writes it.
enum Field {
    case uint32(UInt32)
    case uint64(UInt64)
    case string(String)
    case bytes([UInt8])
    case attributes(SFTPAttributes)
}

/// A client's side of the wire, written independently of the server's encoder.
enum Wire {
    /// A whole packet: length, type, the id (absent for INIT), the fields.
    static func packet(_ type: UInt8, id: UInt32?, _ fields: [Field]) -> ByteBuffer {
        var body = ByteBuffer()
        body.writeInteger(type)
        if let id { body.writeInteger(id) }
        for field in fields {
            switch field {
            case .uint32(let value): body.writeInteger(value)
            case .uint64(let value): body.writeInteger(value)
            case .string(let text): writeString(Array(text.utf8), to: &body)
            case .bytes(let bytes): writeString(bytes, to: &body)
            case .attributes(let attributes): writeAttributes(attributes, to: &body)
            }
        }
        var packet = ByteBuffer()
        packet.writeInteger(UInt32(body.readableBytes))
        packet.writeBuffer(&body)
        return packet
    }

    static func writeString(_ bytes: [UInt8], to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt32(bytes.count))
        buffer.writeBytes(bytes)
    }

    static func writeAttributes(_ attributes: SFTPAttributes, to buffer: inout ByteBuffer) {
        var flags: UInt32 = 0
        if attributes.size != nil { flags |= 0x1 }
        if attributes.ids != nil { flags |= 0x2 }
        if attributes.permissions != nil { flags |= 0x4 }
        if attributes.times != nil { flags |= 0x8 }
        buffer.writeInteger(flags)
        if let size = attributes.size { buffer.writeInteger(size) }
        if let ids = attributes.ids { buffer.writeMultipleIntegers(ids.user, ids.group) }
        if let permissions = attributes.permissions { buffer.writeInteger(permissions) }
        if let times = attributes.times { buffer.writeMultipleIntegers(times.access, times.modification) }
    }
}

/// Why a reply could not be read as the test expected.
struct UnexpectedReply: Error, CustomStringConvertible {
    let description: String
}

/// One packet from the server, read as a client would.
struct Reply: Equatable {
    let type: UInt8
    /// The request id, or the version of a VERSION reply.
    let id: UInt32
    private(set) var body: ByteBuffer
    /// The whole packet as it arrived.
    let packet: ByteBuffer

    init(packet: ByteBuffer) throws {
        self.packet = packet
        var reader = packet
        guard let length = reader.readInteger(as: UInt32.self), Int(length) == reader.readableBytes else {
            throw UnexpectedReply(description: "a reply whose length prefix does not match its size")
        }
        guard let type = reader.readInteger(as: UInt8.self), let id = reader.readInteger(as: UInt32.self) else {
            throw UnexpectedReply(description: "a reply too short for a type and an id")
        }
        self.type = type
        self.id = id
        body = reader
    }

    /// A STATUS reply's code and message.
    func status() throws -> (status: SFTPStatus?, message: String) {
        var reader = try body(of: MessageType.status)
        let code = try reader.uint32()
        let message = try reader.text()
        _ = try reader.text()  // The language tag.
        return (SFTPStatus(rawValue: code), message)
    }

    func handle() throws -> [UInt8] {
        var reader = try body(of: MessageType.handle)
        return try reader.bytes()
    }

    func data() throws -> [UInt8] {
        var reader = try body(of: MessageType.data)
        return try reader.bytes()
    }

    func names() throws -> [(name: String, longName: String, attributes: SFTPAttributes)] {
        var reader = try body(of: MessageType.name)
        return try (0..<reader.uint32()).map { _ in (try reader.text(), try reader.text(), try reader.attributes()) }
    }

    func attributes() throws -> SFTPAttributes {
        var reader = try body(of: MessageType.attributesReply)
        return try reader.attributes()
    }

    /// An EXTENDED_REPLY read as a row of uint64 figures.
    func figures() throws -> [UInt64] {
        var reader = try body(of: MessageType.extendedReply)
        var figures: [UInt64] = []
        while reader.buffer.readableBytes > 0 { figures.append(try reader.uint64()) }
        return figures
    }

    /// A VERSION reply's extension pairs.
    func extensions() throws -> [String: String] {
        var reader = try body(of: MessageType.version)
        var pairs: [String: String] = [:]
        while reader.buffer.readableBytes > 0 { pairs[try reader.text()] = try reader.text() }
        return pairs
    }

    private func body(of expected: UInt8) throws -> ReplyReader {
        guard type == expected else {
            var detail = ""
            var reader = ReplyReader(buffer: body)
            if type == MessageType.status, let status = try? reader.statusText() { detail = " (\(status))" }
            throw UnexpectedReply(description: "expected a reply of type \(expected), got \(type)\(detail)")
        }
        return ReplyReader(buffer: body)
    }
}

/// Reads reply fields, failing the test on a short field.
struct ReplyReader {
    var buffer: ByteBuffer

    mutating func uint32() throws -> UInt32 {
        guard let value = buffer.readInteger(as: UInt32.self) else { throw UnexpectedReply(description: "a short uint32") }
        return value
    }

    mutating func uint64() throws -> UInt64 {
        guard let value = buffer.readInteger(as: UInt64.self) else { throw UnexpectedReply(description: "a short uint64") }
        return value
    }

    mutating func bytes() throws -> [UInt8] {
        let length = try uint32()
        guard let bytes = buffer.readBytes(length: Int(length)) else { throw UnexpectedReply(description: "a short string") }
        return bytes
    }

    mutating func text() throws -> String { String(decoding: try bytes(), as: UTF8.self) }

    mutating func attributes() throws -> SFTPAttributes {
        let flags = try uint32()
        var attributes = SFTPAttributes()
        if flags & 0x1 != 0 { attributes.size = try uint64() }
        if flags & 0x2 != 0 { attributes.ids = (try uint32(), try uint32()) }
        if flags & 0x4 != 0 { attributes.permissions = try uint32() }
        if flags & 0x8 != 0 { attributes.times = (try uint32(), try uint32()) }
        return attributes
    }

    mutating func statusText() throws -> String {
        let code = try uint32()
        return "status \(code): \(try text())"
    }
}
