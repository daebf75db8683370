import NIOCore

extension SFTPIncomingPacket {
    /// Decodes one packet's body (its length prefix already taken off). Bytes after the last field are
    /// ignored, as OpenSSH ignores them.
    init(decoding packet: ByteBuffer) throws(SFTPProtocolError) {
        var reader = SFTPFieldReader(packet)
        let type = try reader.readByte()
        if type == SFTPPacketType.initialize.rawValue {
            // INIT has a version where other packets have an id; the extension pairs after it are ignored.
            self = .initialize(version: try reader.readUInt32())
            return
        }
        let id = try reader.readUInt32()
        let request = try Self.request(ofType: type, from: &reader)
        self = reader.foundInvalidText ? .undecodableText(id: id) : .request(id: id, request)
    }

    private static func request(ofType type: UInt8, from reader: inout SFTPFieldReader) throws(SFTPProtocolError) -> SFTPRequest {
        guard let known = SFTPPacketType(rawValue: type) else { return .unsupported("request type \(type)") }
        switch known {
        case .open:
            return .openFile(
                path: try reader.readPath(),
                flags: SFTPOpenFlags(rawValue: try reader.readUInt32()),
                attributes: try reader.readAttributes()
            )
        case .close:
            return .close(try reader.readHandle())
        case .read:
            return .read(try reader.readHandle(), offset: try reader.readUInt64(), length: try reader.readUInt32())
        case .write:
            return .write(try reader.readHandle(), offset: try reader.readUInt64(), bytes: try reader.readBytes())
        case .linkAttributes:
            return .attributes(path: try reader.readPath(), followingLinks: false)
        case .attributes:
            return .attributes(path: try reader.readPath(), followingLinks: true)
        case .handleAttributes:
            return .handleAttributes(try reader.readHandle())
        case .setAttributes:
            let path = try reader.readPath()
            return .setAttributes(try reader.readAttributes(), path: path)
        case .setHandleAttributes:
            let handle = try reader.readHandle()
            return .setHandleAttributes(try reader.readAttributes(), handle)
        case .openDirectory:
            return .openDirectory(path: try reader.readPath())
        case .readDirectory:
            return .readDirectory(try reader.readHandle())
        case .remove:
            return .removeFile(path: try reader.readPath())
        case .makeDirectory:
            return .makeDirectory(path: try reader.readPath(), attributes: try reader.readAttributes())
        case .removeDirectory:
            return .removeDirectory(path: try reader.readPath())
        case .realPath:
            return .resolvePath(try reader.readPath())
        case .rename:
            return .rename(source: try reader.readPath(), destination: try reader.readPath(), replacing: false)
        case .readLink:
            return .readLink(path: try reader.readPath())
        case .symbolicLink:
            // OpenSSH's sftp-server, and so every client, sends the target first and the link's path second,
            // the reverse of the draft; following the clients is what works.
            let target = try reader.readPath()
            return .makeSymbolicLink(path: try reader.readPath(), target: target)
        case .extended:
            return try extendedRequest(from: &reader)
        case .initialize, .version, .status, .handle, .data, .name, .attributesReply, .extendedReply:
            return .unsupported("request type \(type)")
        }
    }

    private static func extendedRequest(from reader: inout SFTPFieldReader) throws(SFTPProtocolError) -> SFTPRequest {
        let nameBytes = try reader.readBytes()
        guard let name = String(validating: nameBytes.readableBytesView, as: UTF8.self), let known = SFTPExtension(rawValue: name) else {
            return .unsupported("extension \(String(decoding: nameBytes.readableBytesView, as: UTF8.self))")
        }
        switch known {
        case .posixRename:
            return .rename(source: try reader.readPath(), destination: try reader.readPath(), replacing: true)
        case .fileSystemStats:
            return .fileSystemStats(path: try reader.readPath())
        case .handleFileSystemStats:
            return .handleFileSystemStats(try reader.readHandle())
        case .sync:
            return .sync(try reader.readHandle())
        case .limits:
            return .limits
        }
    }
}
