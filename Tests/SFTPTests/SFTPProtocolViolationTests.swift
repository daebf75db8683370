import Foundation
import NIOCore
import SFTP
import Testing

@Suite("Clients that break the protocol or a limit")
struct SFTPProtocolViolationTests {
    @Test("A packet longer than the limit ends the session before its body is sent")
    func oversizedPacket() async throws {
        try await SFTPTestClient.withSession(limits: SFTPServerLimits(maximumPacketLength: 1_024)) { client, _ async throws in
            client.send(ByteBuffer(bytes: [0, 0, 0x04, 0x01]))  // 1025 bytes announced, none sent.
            #expect(await client.failure() as? SFTPProtocolError == .packetTooLarge(1_025))
        }
    }

    @Test("A packet at the limit is still served")
    func packetAtTheLimit() async throws {
        try await SFTPTestClient.withSession(limits: SFTPServerLimits(maximumPacketLength: 1_024)) { client, _ async throws in
            let path = "/" + String(repeating: "p", count: 1_024 - 1 - 4 - 4 - 1)
            let reply = try await client.request(MessageType.realPath, .string(path))
            #expect(try reply.names().first?.name == path)
        }
    }

    @Test("A string running past the packet's end ends the session as malformed, and closes open files")
    func truncatedField() async throws {
        try await SFTPTestClient.withSession { client, fileSystem async throws in
            _ = try await client.open("/open", [.write, .create])
            // STAT whose path claims 200 bytes where 3 are.
            client.send(ByteBuffer(bytes: [0, 0, 0, 12, 17, 0, 0, 0, 9, 0, 0, 0, 200, 0x2F, 0x61, 0x62]))
            let error = await client.failure() as? SFTPProtocolError
            guard case .malformed = error else {
                Issue.record("expected malformed, got \(String(describing: error))")
                return
            }
            #expect(fileSystem.ledger.closedCount == 1)
        }
    }

    @Test("A packet too short for its id ends the session")
    func missingID() async throws {
        try await SFTPTestClient.withSession { client, _ async throws in
            client.send(ByteBuffer(bytes: [0, 0, 0, 2, 17, 0]))
            let error = await client.failure() as? SFTPProtocolError
            guard case .malformed = error else {
                Issue.record("expected malformed, got \(String(describing: error))")
                return
            }
        }
    }

    @Test("Opening one handle more than allowed ends the session and closes every file it opened")
    func tooManyHandles() async throws {
        try await SFTPTestClient.withSession(limits: SFTPServerLimits(maximumOpenHandles: 5)) { client, fileSystem async throws in
            var files: [[UInt8]] = []
            for index in 0..<3 {
                files.append(try await client.open("/file-\(index)", [.write, .create]))
            }
            for _ in 0..<2 {
                _ = try await client.request(MessageType.openDirectory, .string("/")).handle()
            }
            // Closing one makes room for another.
            #expect(try await client.status(MessageType.close, .bytes(files[0])).status == .ok)
            _ = try await client.open("/extra", [.write, .create])

            client.send(
                Wire.packet(
                    MessageType.open,
                    id: 77,
                    [.string("/one-too-many"), .uint32(SFTPOpenFlags([.write, .create]).rawValue), .attributes(SFTPAttributes())]
                )
            )
            #expect(await client.failure() as? SFTPProtocolError == .tooManyHandles(5))
            #expect(fileSystem.ledger.openedCount == 4)
            #expect(fileSystem.ledger.closedCount == 4)
            #expect(!FileManager.default.fileExists(atPath: fileSystem.base.hostPath("/one-too-many")))
        }
    }

    @Test("The errors say what happened")
    func descriptions() {
        #expect(SFTPProtocolError.packetTooLarge(9_999_999).description.contains("9999999"))
        #expect(SFTPProtocolError.tooManyHandles(256).description.contains("256"))
        #expect(SFTPProtocolError.malformed("a short uint32").description.contains("a short uint32"))
        #expect(SFTPProtocolError.versionNotNegotiated.description.contains("INIT"))
    }
}
