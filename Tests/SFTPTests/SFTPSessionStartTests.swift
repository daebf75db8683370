import Logging
import NIOCore
import SFTP
import Synchronization
import Testing

@Suite("Starting and ending a session")
struct SFTPSessionStartTests {
    @Test("INIT is answered with VERSION 3 and the OpenSSH extensions offered, hardlink not among them")
    func versionAndExtensions() async throws {
        let fileSystem = try TemporaryDirectoryFileSystem()
        defer { fileSystem.removeEverything() }
        let client = SFTPTestClient(fileSystem: fileSystem)
        // A client that asks for version 6 and sends its own extension pairs still gets version 3.
        client.send(Wire.packet(MessageType.initialize, id: nil, [.uint32(6), .string("vendor-id"), .string("x")]))
        let version = try await client.nextReply()
        #expect(version.type == MessageType.version)
        #expect(version.id == 3)
        #expect(
            try version.extensions() == [
                "posix-rename@openssh.com": "1", "statvfs@openssh.com": "2", "fstatvfs@openssh.com": "2", "fsync@openssh.com": "1",
                "limits@openssh.com": "1",
            ]
        )
        #expect(await client.outcome() == nil)
    }

    @Test("A request before INIT ends the session")
    func requestBeforeInitialize() async throws {
        let fileSystem = try TemporaryDirectoryFileSystem()
        defer { fileSystem.removeEverything() }
        let client = SFTPTestClient(fileSystem: fileSystem)
        client.send(Wire.packet(MessageType.realPath, id: 1, [.string(".")]))
        #expect(await client.failure() as? SFTPProtocolError == .versionNotNegotiated)
    }

    @Test("A second INIT ends the session")
    func secondInitialize() async throws {
        try await SFTPTestClient.withSession { client, _ async throws in
            client.send(Wire.packet(MessageType.initialize, id: nil, [.uint32(3)]))
            #expect(await client.failure() as? SFTPProtocolError == .versionNegotiatedTwice)
        }
    }

    @Test("When the stream ends, serve returns and every file still open is closed")
    func endOfStreamClosesFiles() async throws {
        try await SFTPTestClient.withSession { client, fileSystem async throws in
            for name in ["a", "b", "c"] {
                _ = try await client.open("/\(name)", [.write, .create])
            }
            _ = try await client.request(MessageType.openDirectory, .string("/")).handle()
            #expect(fileSystem.ledger.closedCount == 0)
            #expect(await client.outcome() == nil)
            #expect(fileSystem.ledger.openedCount == 3)
            #expect(fileSystem.ledger.closedCount == 3)
        }
    }

    @Test("When sending a reply fails, serve throws that error and still closes the files")
    func failedSendClosesFiles() async throws {
        struct ChannelClosed: Error {}
        let base = try TemporaryDirectoryFileSystem()
        defer { base.removeEverything() }
        let fileSystem = InstrumentedFileSystem(base: base)
        let server = SFTPServer(fileSystem: fileSystem, logger: .init(label: "sftp-tests"))
        let requests = [
            Wire.packet(MessageType.initialize, id: nil, [.uint32(3)]),
            Wire.packet(
                MessageType.open,
                id: 1,
                [.string("/f"), .uint32(SFTPOpenFlags([.write, .create]).rawValue), .attributes(SFTPAttributes())]
            ),
            Wire.packet(MessageType.realPath, id: 2, [.string(".")]),
        ]
        let sent = ReplyCounter()
        await #expect(throws: ChannelClosed.self) {
            try await server.serve(
                AsyncStream { continuation in
                    for request in requests { continuation.yield(request) }
                    continuation.finish()
                }
            ) { _ in
                // VERSION and HANDLE go out; the third reply finds the channel closed.
                guard sent.increment() < 3 else { throw ChannelClosed() }
            }
        }
        #expect(fileSystem.ledger.openedCount == 1)
        #expect(fileSystem.ledger.closedCount == 1)
    }
}

/// Counts replies sent from a `@Sendable` closure.
private final class ReplyCounter: Sendable {
    private let count = Mutex(0)

    /// The count after this one.
    func increment() -> Int {
        count.withLock {
            $0 += 1
            return $0
        }
    }
}
