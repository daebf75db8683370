import NIOCore

extension SFTPReply {
    /// The whole packet, length prefix included.
    var encoded: ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(0))  // The length, set once the body is written.
        switch self {
        case .version(let extensions):
            buffer.writeInteger(SFTPPacketType.version.rawValue)
            buffer.writeInteger(Self.protocolVersion)
            for (name, version) in extensions {
                buffer.writeSFTPString(name)
                buffer.writeSFTPString(version)
            }
        case .status(let id, let status, let message):
            buffer.writeHeader(.status, id: id)
            buffer.writeInteger(status.rawValue)
            buffer.writeSFTPString(message)
            buffer.writeSFTPString("")  // The language tag: none.
        case .handle(let id, let handle):
            buffer.writeHeader(.handle, id: id)
            buffer.writeInteger(UInt32(handle.bytes.count))
            buffer.writeBytes(handle.bytes)
        case .data(let id, let bytes):
            buffer.writeHeader(.data, id: id)
            buffer.writeInteger(UInt32(bytes.readableBytes))
            buffer.writeImmutableBuffer(bytes)
        case .names(let id, let entries):
            buffer.writeHeader(.name, id: id)
            buffer.writeInteger(UInt32(entries.count))
            for entry in entries {
                buffer.writeSFTPString(entry.name)
                buffer.writeSFTPString(entry.longName ?? "")
                buffer.writeSFTPAttributes(entry.attributes)
            }
        case .attributes(let id, let attributes):
            buffer.writeHeader(.attributesReply, id: id)
            buffer.writeSFTPAttributes(attributes)
        case .extended(let id, let figures):
            buffer.writeHeader(.extendedReply, id: id)
            for figure in figures {
                buffer.writeInteger(figure)
            }
        }
        buffer.setInteger(UInt32(buffer.readableBytes - 4), at: buffer.readerIndex)
        return buffer
    }

    /// What `entry` adds to a NAME packet, to keep a page of a listing within bounds.
    static func encodedLength(of entry: SFTPDirectoryEntry) -> Int {
        8 + entry.name.utf8.count + (entry.longName?.utf8.count ?? 0) + entry.attributes.encodedLength
    }
}

extension SFTPAttributes {
    /// The bytes of this ATTRS structure.
    var encodedLength: Int {
        4 + (size == nil ? 0 : 8) + (ids == nil ? 0 : 8) + (permissions == nil ? 0 : 4) + (times == nil ? 0 : 8)
    }
}

extension ByteBuffer {
    fileprivate mutating func writeHeader(_ type: SFTPPacketType, id: UInt32) {
        writeInteger(type.rawValue)
        writeInteger(id)
    }

    /// A string field: a uint32 length, then the UTF-8 bytes.
    mutating func writeSFTPString(_ text: String) {
        writeInteger(UInt32(text.utf8.count))
        writeString(text)
    }

    /// An ATTRS structure with the fields present, never extended pairs.
    mutating func writeSFTPAttributes(_ attributes: SFTPAttributes) {
        writeInteger(attributes.flags.rawValue)
        if let size = attributes.size {
            writeInteger(size)
        }
        if let ids = attributes.ids {
            writeInteger(ids.user)
            writeInteger(ids.group)
        }
        if let permissions = attributes.permissions {
            writeInteger(permissions)
        }
        if let times = attributes.times {
            writeInteger(times.access)
            writeInteger(times.modification)
        }
    }
}
