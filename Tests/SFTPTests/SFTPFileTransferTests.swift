import Foundation
import NIOCore
import SFTP
import Testing

@Suite("Reading and writing files")
struct SFTPFileTransferTests {
    /// Bytes that are not all alike, so a misplaced chunk shows.
    private static func pattern(count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 256) } }

    @Test("A file written at offsets, out of order, reads back byte for byte")
    func roundTrip() async throws {
        try await SFTPTestClient.withSession { client, fileSystem async throws in
            let contents = Self.pattern(count: 70_000)
            let writer = try await client.open("/world.dat", [.write, .create, .truncate], attributes: SFTPAttributes(permissions: 0o644))
            // The second half first, then the first, in WRITEs of different sizes.
            for range in [35_000..<70_000, 0..<1, 1..<20_000, 20_000..<35_000] {
                let status = try await client.status(
                    MessageType.write,
                    .bytes(writer),
                    .uint64(UInt64(range.lowerBound)),
                    .bytes(Array(contents[range]))
                )
                #expect(status.status == .ok)
            }
            #expect(try await client.status(MessageType.close, .bytes(writer)).status == .ok)

            let reader = try await client.open("/world.dat", .read)
            #expect(try await client.readToEnd(reader, chunk: 4_096) == contents)
            let end = try await client.request(MessageType.read, .bytes(reader), .uint64(70_000), .uint32(10))
            #expect(try end.status().status == .endOfFile)
            #expect(try await client.status(MessageType.close, .bytes(reader)).status == .ok)

            #expect(FileManager.default.contents(atPath: fileSystem.base.hostPath("/world.dat")) == Data(contents))
            #expect(fileSystem.ledger.closedCount == 2)
        }
    }

    @Test("Opening with truncate empties the file first")
    func truncate() async throws {
        try await SFTPTestClient.withSession { client, fileSystem async throws in
            _ = FileManager.default.createFile(atPath: fileSystem.base.hostPath("/notes"), contents: Data("a long first version".utf8))
            let handle = try await client.open("/notes", [.write, .truncate])
            _ = try await client.status(MessageType.write, .bytes(handle), .uint64(0), .string("short"))
            _ = try await client.status(MessageType.close, .bytes(handle))
            #expect(FileManager.default.contents(atPath: fileSystem.base.hostPath("/notes")) == Data("short".utf8))
        }
    }

    @Test("A READ longer than the limit is answered with the limit's worth")
    func readIsClamped() async throws {
        try await SFTPTestClient.withSession(limits: SFTPServerLimits(maximumReadLength: 1_000)) { client, fileSystem async throws in
            _ = FileManager.default.createFile(atPath: fileSystem.base.hostPath("/big"), contents: Data(Self.pattern(count: 5_000)))
            let handle = try await client.open("/big", .read)
            let reply = try await client.request(MessageType.read, .bytes(handle), .uint64(0), .uint32(5_000))
            #expect(try reply.data() == Array(Self.pattern(count: 1_000)))
        }
    }

    @Test("Requests split at every byte boundary get the same replies as requests sent whole")
    func everySplit() async throws {
        try await SFTPTestClient.withSession { client, _ async throws in
            let handle = try await client.open("/split", [.read, .write, .create])
            var script = Wire.packet(MessageType.write, id: 901, [.bytes(handle), .uint64(0), .string("split anywhere")])
            script.writeImmutableBuffer(Wire.packet(MessageType.realPath, id: 902, [.string("a/./b/../c")]))
            script.writeImmutableBuffer(Wire.packet(MessageType.read, id: 903, [.bytes(handle), .uint64(6), .uint32(100)]))
            let bytes = Array(script.readableBytesView)

            client.send(script)
            let expected = [try await client.nextReply(), try await client.nextReply(), try await client.nextReply()]
            #expect(expected.map(\.id) == [901, 902, 903])
            #expect(try expected[1].names().map(\.name) == ["/a/c"])
            #expect(try expected[2].data() == Array("anywhere".utf8))

            for split in 1..<bytes.count {
                client.send(ByteBuffer(bytes: bytes[..<split]))
                client.send(ByteBuffer(bytes: bytes[split...]))
                let replies = [try await client.nextReply(), try await client.nextReply(), try await client.nextReply()]
                #expect(replies == expected, "split at \(split)")
            }
            for byte in bytes {
                client.send(ByteBuffer(bytes: [byte]))
            }
            #expect([try await client.nextReply(), try await client.nextReply(), try await client.nextReply()] == expected)
        }
    }

    @Test("Many requests in one buffer are all answered, in order")
    func pipelined() async throws {
        try await SFTPTestClient.withSession { client, fileSystem async throws in
            let handle = try await client.open("/pipelined", [.write, .create])
            let contents = Self.pattern(count: 50 * 100)
            var buffer = ByteBuffer()
            for index in 0..<50 {
                let chunk = Array(contents[(index * 100)..<(index * 100 + 100)])
                buffer.writeImmutableBuffer(
                    Wire.packet(MessageType.write, id: UInt32(1_000 + index), [.bytes(handle), .uint64(UInt64(index * 100)), .bytes(chunk)])
                )
            }
            client.send(buffer)
            for index in 0..<50 {
                let reply = try await client.nextReply()
                #expect(reply.id == UInt32(1_000 + index))
                #expect(try reply.status().status == .ok)
            }
            #expect(FileManager.default.contents(atPath: fileSystem.base.hostPath("/pipelined")) == Data(contents))
        }
    }

    @Test("A handle that was never given, or was closed, is refused; handles are not reused")
    func unknownHandles() async throws {
        try await SFTPTestClient.withSession { client, _ async throws in
            let never = try await client.status(MessageType.read, .bytes([9, 9, 9]), .uint64(0), .uint32(1))
            #expect(never.status == .failure)
            #expect(never.message == "no such handle")

            let first = try await client.open("/one", [.write, .create])
            _ = try await client.status(MessageType.close, .bytes(first))
            #expect(try await client.status(MessageType.write, .bytes(first), .uint64(0), .string("x")).status == .failure)
            #expect(try await client.status(MessageType.close, .bytes(first)).status == .failure)
            let second = try await client.open("/one", .read)
            #expect(second != first)
        }
    }

    @Test("A file handle is not a directory's and a directory handle not a file's")
    func handleKinds() async throws {
        try await SFTPTestClient.withSession { client, _ async throws in
            let directory = try await client.request(MessageType.openDirectory, .string("/")).handle()
            let file = try await client.open("/f", [.write, .create])
            #expect(try await client.status(MessageType.read, .bytes(directory), .uint64(0), .uint32(10)).status == .failure)
            #expect(try await client.status(MessageType.write, .bytes(directory), .uint64(0), .string("x")).status == .failure)
            #expect(try await client.status(MessageType.readDirectory, .bytes(file)).status == .failure)
            #expect(try await client.status(MessageType.close, .bytes(directory)).status == .ok)
        }
    }
}
