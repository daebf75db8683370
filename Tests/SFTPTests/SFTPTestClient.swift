import Logging
import NIOCore
import SFTP

/// Drives ``SFTPServer/serve(_:send:)`` as a client would: bytes go in through an `AsyncStream`, each
/// reply packet comes out decoded. One per test, used from the test's own task.
final class SFTPTestClient {
    private let input: AsyncStream<ByteBuffer>.Continuation
    private var replies: AsyncStream<ByteBuffer>.Iterator
    private let serving: Task<Void, any Error>
    private var lastID: UInt32 = 0

    init(fileSystem: any SFTPFileSystem, limits: SFTPServerLimits = SFTPServerLimits()) {
        let (inbound, input) = AsyncStream<ByteBuffer>.makeStream()
        let (outbound, output) = AsyncStream<ByteBuffer>.makeStream()
        let server = SFTPServer(fileSystem: fileSystem, limits: limits, logger: Logger(label: "sftp-tests"))
        serving = Task {
            defer { output.finish() }
            try await server.serve(inbound) { output.yield($0) }
        }
        self.input = input
        replies = outbound.makeAsyncIterator()
    }

    /// Sends raw bytes, as one chunk of the stream.
    func send(_ bytes: ByteBuffer) {
        input.yield(bytes)
    }

    /// Ends the stream, as a closed channel does.
    func finish() {
        input.finish()
    }

    /// The next reply; fails when the session has ended instead.
    func nextReply() async throws -> Reply {
        guard let packet = await replies.next() else { throw UnexpectedReply(description: "the session ended without a reply") }
        return try Reply(packet: packet)
    }

    /// How the session ended: nil when `serve` returned, else what it threw. Ends the stream first.
    func outcome() async -> (any Error)? {
        finish()
        do {
            try await serving.value
            return nil
        } catch {
            return error
        }
    }

    /// What `serve` threw, for a session expected to end by itself (the stream is left open).
    func failure() async -> (any Error)? {
        do {
            try await serving.value
            return nil
        } catch {
            return error
        }
    }

    /// A fresh request id.
    func nextID() -> UInt32 {
        lastID += 1
        return lastID
    }

    /// INIT (version 3) and its VERSION reply.
    @discardableResult
    func initialize() async throws -> Reply {
        send(Wire.packet(MessageType.initialize, id: nil, [.uint32(3)]))
        return try await nextReply()
    }

    /// Sends a request with a fresh id and returns its reply, checked to carry that id.
    func request(_ type: UInt8, _ fields: Field...) async throws -> Reply {
        try await exchange(type, fields)
    }

    /// An EXTENDED request named `name`.
    func extended(_ name: String, _ fields: Field...) async throws -> Reply {
        try await exchange(MessageType.extended, [.string(name)] + fields)
    }

    /// The status of a request expected to answer STATUS.
    func status(_ type: UInt8, _ fields: Field...) async throws -> (status: SFTPStatus?, message: String) {
        try await exchange(type, fields).status()
    }

    private func exchange(_ type: UInt8, _ fields: [Field]) async throws -> Reply {
        let id = nextID()
        send(Wire.packet(type, id: id, fields))
        let reply = try await nextReply()
        guard reply.id == id else { throw UnexpectedReply(description: "the reply to request \(id) carries id \(reply.id)") }
        return reply
    }

    /// OPEN, expecting a handle.
    func open(_ path: String, _ flags: SFTPOpenFlags, attributes: SFTPAttributes = SFTPAttributes()) async throws -> [UInt8] {
        try await request(MessageType.open, .string(path), .uint32(flags.rawValue), .attributes(attributes)).handle()
    }

    /// Reads the whole file behind `handle` in `chunk`-byte READs until the EOF status.
    func readToEnd(_ handle: [UInt8], chunk: UInt32 = 1_000) async throws -> [UInt8] {
        var contents: [UInt8] = []
        while true {
            let reply = try await request(MessageType.read, .bytes(handle), .uint64(UInt64(contents.count)), .uint32(chunk))
            if reply.type == MessageType.status {
                let (status, message) = try reply.status()
                guard status == .endOfFile else { throw UnexpectedReply(description: "READ failed: \(message)") }
                return contents
            }
            contents += try reply.data()
        }
    }
}

extension SFTPTestClient {
    /// Runs `body` with a client whose session has been initialised, over a fresh temporary directory
    /// that is removed afterwards.
    static func withSession<Result>(
        limits: SFTPServerLimits = SFTPServerLimits(),
        writeRefusal: (any Error & Sendable)? = nil,
        _ body: (SFTPTestClient, InstrumentedFileSystem) async throws -> Result
    ) async throws -> Result {
        let base = try TemporaryDirectoryFileSystem()
        defer { base.removeEverything() }
        var fileSystem = InstrumentedFileSystem(base: base)
        fileSystem.writeRefusal = writeRefusal
        let client = SFTPTestClient(fileSystem: fileSystem, limits: limits)
        defer { client.finish() }
        try await client.initialize()
        return try await body(client, fileSystem)
    }
}
