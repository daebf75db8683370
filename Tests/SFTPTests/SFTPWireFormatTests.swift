import NIOCore
import Testing

@testable import SFTP

@Suite("Wire format: exact bytes from the draft")
struct SFTPWireFormatTests {
    private func bytes(_ buffer: ByteBuffer) -> [UInt8] { Array(buffer.readableBytesView) }
    private func string(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("A STATUS reply is length, type 101, id, code, message and an empty language tag")
    func statusReply() {
        let expected: [UInt8] =
            [0, 0, 0, 21]  // 1 + 4 + 4 + (4 + 4) + (4 + 0)
            + [101, 0, 0, 0, 7]  // SSH_FXP_STATUS, id 7
            + [0, 0, 0, 2]  // SSH_FX_NO_SUCH_FILE
            + [0, 0, 0, 4] + string("gone") + [0, 0, 0, 0]
        #expect(bytes(SFTPReply.status(id: 7, .noSuchFile, message: "gone").encoded) == expected)
    }

    @Test("A VERSION reply is version 3 and the extension pairs OpenSSH clients look for")
    func versionReply() {
        var expected: [UInt8] = [0, 0, 0, 148, 2, 0, 0, 0, 3]  // 1 + 4 + 33 + 28 + 29 + 26 + 27 bytes
        expected += [0, 0, 0, 24] + string("posix-rename@openssh.com") + [0, 0, 0, 1] + string("1")
        expected += [0, 0, 0, 19] + string("statvfs@openssh.com") + [0, 0, 0, 1] + string("2")
        expected += [0, 0, 0, 20] + string("fstatvfs@openssh.com") + [0, 0, 0, 1] + string("2")
        expected += [0, 0, 0, 17] + string("fsync@openssh.com") + [0, 0, 0, 1] + string("1")
        expected += [0, 0, 0, 18] + string("limits@openssh.com") + [0, 0, 0, 1] + string("1")
        #expect(bytes(SFTPReply.version(extensions: SFTPExtension.advertised).encoded) == expected)
    }

    @Test("A HANDLE reply carries the handle as a string")
    func handleReply() {
        let expected: [UInt8] = [0, 0, 0, 17, 102, 0, 0, 0, 9, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 1, 2]
        #expect(bytes(SFTPReply.handle(id: 9, SFTPHandle(number: 0x0102)).encoded) == expected)
    }

    @Test("A DATA reply carries the bytes as a string")
    func dataReply() {
        let expected: [UInt8] = [0, 0, 0, 12, 103, 0, 0, 1, 0, 0, 0, 0, 3, 0xAA, 0xBB, 0xCC]
        #expect(bytes(SFTPReply.data(id: 256, ByteBuffer(bytes: [0xAA, 0xBB, 0xCC])).encoded) == expected)
    }

    @Test("A NAME reply is a count, then name, long name and ATTRS per entry")
    func nameReply() {
        let entry = SFTPDirectoryEntry(name: "/a", longName: "/a", attributes: SFTPAttributes())
        let expected: [UInt8] =
            [0, 0, 0, 25, 104, 0, 0, 0, 1, 0, 0, 0, 1] + [0, 0, 0, 2] + string("/a") + [0, 0, 0, 2] + string("/a") + [0, 0, 0, 0]
        #expect(bytes(SFTPReply.names(id: 1, [entry]).encoded) == expected)
    }

    @Test("ATTRS with every field: flags 0xF, size, uid, gid, permissions, atime, mtime")
    func fullAttributes() {
        let attributes = SFTPAttributes(size: 0x0102_0304_0506_0708, ids: (1_000, 1_001), permissions: 0o100644, times: (1, 2))
        let expected: [UInt8] =
            [0, 0, 0, 0x0F, 1, 2, 3, 4, 5, 6, 7, 8]
            + [0, 0, 0x03, 0xE8, 0, 0, 0x03, 0xE9]  // 1000, 1001
            + [0, 0, 0x81, 0xA4]  // 0o100644
            + [0, 0, 0, 1, 0, 0, 0, 2]
        var buffer = ByteBuffer()
        buffer.writeSFTPAttributes(attributes)
        #expect(bytes(buffer) == expected)
        #expect(attributes.encodedLength == expected.count)
    }

    @Test("ATTRS with some fields carry only their flags and fields")
    func partialAttributes() {
        var buffer = ByteBuffer()
        buffer.writeSFTPAttributes(SFTPAttributes(permissions: 0o755))
        #expect(bytes(buffer) == [0, 0, 0, 4, 0, 0, 0x01, 0xED])
        buffer.clear()
        buffer.writeSFTPAttributes(SFTPAttributes())
        #expect(bytes(buffer) == [0, 0, 0, 0])
    }

    @Test(
        "ATTRS survive an encode and decode, with and without optional fields",
        arguments: [
            SFTPAttributes(),
            SFTPAttributes(size: 0),
            SFTPAttributes(size: .max),
            SFTPAttributes(ids: (0, .max)),
            SFTPAttributes(permissions: 0o120777),
            SFTPAttributes(times: (.max, 0)),
            SFTPAttributes(size: 42, times: (1_700_000_000, 1_700_000_001)),
            SFTPAttributes(size: 1, ids: (2, 3), permissions: 4, times: (5, 6)),
        ]
    )
    func attributesRoundTrip(attributes: SFTPAttributes) throws {
        var buffer = ByteBuffer()
        buffer.writeSFTPAttributes(attributes)
        buffer.writeInteger(UInt8(0xEE))  // What follows must be left unread.
        var reader = SFTPFieldReader(buffer)
        #expect(try reader.readAttributes() == attributes)
        #expect(try reader.readByte() == 0xEE)
    }

    @Test("Extended attribute pairs are read past and dropped")
    func extendedAttributes() throws {
        var buffer = ByteBuffer(bytes: [0x80, 0, 0, 0x04, 0, 0, 0x01, 0xA4, 0, 0, 0, 1])  // EXTENDED | PERMISSIONS, 0o644, one pair
        buffer.writeBytes([0, 0, 0, 3] + string("a@b") + [0, 0, 0, 2] + string("xy") + [0x7F])
        var reader = SFTPFieldReader(buffer)
        #expect(try reader.readAttributes() == SFTPAttributes(permissions: 0o644))
        #expect(try reader.readByte() == 0x7F)
    }

    @Test("An OPEN request decodes to its path, flags and attributes")
    func openRequest() throws {
        let packet: [UInt8] =
            [3, 0, 0, 0, 5]  // SSH_FXP_OPEN, id 5
            + [0, 0, 0, 6] + string("/x.txt")
            + [0, 0, 0, 0x1A]  // WRITE | CREAT | TRUNC
            + [0, 0, 0, 4, 0, 0, 0x01, 0xA4]  // permissions 0o644
        guard case .request(5, .openFile(let path, let flags, let attributes)) = try SFTPIncomingPacket(decoding: ByteBuffer(bytes: packet)) else {
            Issue.record("not decoded as OPEN")
            return
        }
        #expect(path == "/x.txt")
        #expect(flags == [.write, .create, .truncate])
        #expect(attributes == SFTPAttributes(permissions: 0o644))
    }

    @Test("A SYMLINK request is read in OpenSSH's order: target first, then the link")
    func symbolicLinkRequest() throws {
        let packet: [UInt8] = [20, 0, 0, 0, 1] + [0, 0, 0, 6] + string("target") + [0, 0, 0, 4] + string("link")
        guard case .request(1, .makeSymbolicLink(let path, let target)) = try SFTPIncomingPacket(decoding: ByteBuffer(bytes: packet)) else {
            Issue.record("not decoded as SYMLINK")
            return
        }
        #expect(path == "link")
        #expect(target == "target")
    }

    @Test("A path that is not UTF-8, or holds a NUL, makes the request undecodable but not the packet")
    func invalidText() throws {
        for path: [UInt8] in [[0x2F, 0xFF, 0xFE], [0x2F, 0x61, 0x00, 0x62]] {
            let packet: [UInt8] = [17, 0, 0, 0, 3] + [0, 0, 0, UInt8(path.count)] + path
            guard case .undecodableText(3) = try SFTPIncomingPacket(decoding: ByteBuffer(bytes: packet)) else {
                Issue.record("\(path) was not refused as text")
                continue
            }
        }
    }

    @Test(
        "A field running past the packet's end makes it malformed",
        arguments: [
            [UInt8](),  // no type
            [17, 0, 0],  // a short id
            [17, 0, 0, 0, 1, 0, 0, 0, 9, 0x2F],  // a path of 9 bytes with 1 there
            [17, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF],  // a path of 4 GiB
            [5, 0, 0, 0, 1, 0, 0, 0, 1, 0x41, 0, 0, 0, 0],  // READ with a short offset
            [3, 0, 0, 0, 1, 0, 0, 0, 1, 0x2F, 0, 0, 0, 1, 0, 0, 0, 1, 0],  // OPEN whose ATTRS size is short
            [9, 0, 0, 0, 1, 0, 0, 0, 1, 0x2F, 0x80, 0, 0, 0, 0, 0, 0, 2],  // SETSTAT with extended pairs missing
            [1, 0, 0],  // INIT with a short version
            [200, 0, 0, 0, 1, 0, 0, 0, 19] + Array("statvfs@openssh.com".utf8),  // statvfs without its path
        ]
    )
    func truncatedFields(packet: [UInt8]) {
        #expect(throws: SFTPProtocolError.self) { try SFTPIncomingPacket(decoding: ByteBuffer(bytes: packet)) }
    }

    @Test("Bytes after a request's last field are ignored, as OpenSSH ignores them")
    func trailingBytes() throws {
        let packet: [UInt8] = [16, 0, 0, 0, 4, 0, 0, 0, 1, 0x2E, 0xDE, 0xAD]
        guard case .request(4, .resolvePath(".")) = try SFTPIncomingPacket(decoding: ByteBuffer(bytes: packet)) else {
            Issue.record("not decoded as REALPATH")
            return
        }
    }

    @Test("The statvfs figures go out in OpenSSH's order")
    func fileSystemStatsOrder() {
        let stats = SFTPFileSystemStats(
            blockSize: 1,
            fragmentSize: 2,
            blocks: 3,
            freeBlocks: 4,
            availableBlocks: 5,
            files: 6,
            freeFiles: 7,
            availableFiles: 8,
            fileSystemID: 9,
            flags: 10,
            maximumNameLength: 11
        )
        let encoded = bytes(SFTPReply.extended(id: 2, stats.figures).encoded)
        #expect(encoded.prefix(9) == [0, 0, 0, 93, 201, 0, 0, 0, 2])  // 1 + 4 + 11 × 8
        #expect(encoded.dropFirst(9) == ArraySlice((1...11).flatMap { [0, 0, 0, 0, 0, 0, 0, UInt8($0)] }))
    }
}
