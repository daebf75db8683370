import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// One open conversation with a server: writes requests and awaits each reply in turn, every wait bounded by
/// the timeout. Used by one task, from connect to close.
final class SMTPConnection {
    private let channel: any Channel
    private let continuation: AsyncThrowingStream<SMTPReply, any Error>.Continuation
    private var replies: AsyncThrowingStream<SMTPReply, any Error>.AsyncIterator
    private let server: SMTPServer
    private let timeout: Duration
    private let logger: Logger
    /// Whether what is sent now travels inside TLS.
    private(set) var isSecure: Bool

    private init(
        channel: any Channel,
        replies: AsyncThrowingStream<SMTPReply, any Error>,
        continuation: AsyncThrowingStream<SMTPReply, any Error>.Continuation,
        server: SMTPServer,
        timeout: Duration,
        isSecure: Bool,
        logger: Logger
    ) {
        self.channel = channel
        self.replies = replies.makeAsyncIterator()
        self.continuation = continuation
        self.server = server
        self.timeout = timeout
        self.isSecure = isSecure
        self.logger = logger
    }

    /// Connects, with TLS from the first byte when `implicitTLS` is given; the server's greeting is the first reply.
    static func connect(to server: SMTPServer, implicitTLS: TLSUpgrade?, timeout: Duration, logger: Logger) async throws -> SMTPConnection {
        let (replies, continuation) = AsyncThrowingStream.makeStream(of: SMTPReply.self)
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(TimeAmount(timeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let implicitTLS { try channel.pipeline.syncOperations.addHandler(implicitTLS.makeHandler()) }
                    try channel.pipeline.syncOperations.addHandler(SMTPChannelHandler(replies: continuation))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: server.host, port: server.port).get()
        } catch {
            continuation.finish()
            throw ConnectionFailure.explained(error, connectingTo: server, timeout: timeout)
        }
        // A task cancelled while it waits ends the stream; the connection must not outlive it.
        continuation.onTermination = { _ in channel.close(promise: nil) }
        return SMTPConnection(
            channel: channel,
            replies: replies,
            continuation: continuation,
            server: server,
            timeout: timeout,
            isSecure: implicitTLS != nil,
            logger: logger
        )
    }

    /// Sends `line` with its CRLF and returns the reply; `loggedAs` is what the log shows instead (never a secret).
    func send(_ line: String, loggedAs: String? = nil) async throws -> SMTPReply {
        let shown = loggedAs ?? line
        return try await exchange(SMTPRequest(bytes: ByteBuffer(string: line + "\r\n")), step: shown)
    }

    /// Sends `message` (already dot-stuffed, ending in CRLF) and the line with one dot that ends DATA.
    func sendData(_ message: String) async throws -> SMTPReply {
        try await exchange(SMTPRequest(bytes: ByteBuffer(string: message + ".\r\n")), step: "the message")
    }

    /// The server's first reply, sent unasked.
    func greeting() async throws -> SMTPReply {
        try await exchange(nil, step: "the greeting")
    }

    /// Sends STARTTLS; the server's 220 puts TLS in place before anything else is read or sent. Any other reply,
    /// even another success code, leaves the connection in plain text, so it is refused.
    func startTLS(_ upgrade: TLSUpgrade) async throws {
        let reply = try await exchange(SMTPRequest(bytes: ByteBuffer(string: "STARTTLS\r\n"), upgrade: upgrade), step: "STARTTLS")
        guard reply.code == 220 else { throw SMTPError.rejected(command: "STARTTLS", code: reply.code, reply: reply.text) }
        isSecure = true
    }

    /// Says QUIT, as a courtesy: the message is delivered already, so a failure here is only logged.
    func quit() async {
        do {
            _ = try await send("QUIT")
        } catch {
            logger.debug("SMTP QUIT failed", metadata: ["smtp.error": "\(error)"])
        }
        close()
    }

    func close() {
        channel.close(promise: nil)
    }

    /// Writes `request` (none for the greeting) and awaits its reply, for at most the timeout.
    private func exchange(_ request: SMTPRequest?, step: String) async throws -> SMTPReply {
        let server = server
        let timeout = timeout
        let continuation = continuation
        let channel = channel
        // When time is up, the replies end with timedOut, which is what the wait below then throws.
        let deadline = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            continuation.finish(throwing: SMTPError.timedOut(ConnectionFailure.noReply(to: step, from: server, within: timeout)))
            channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        if let request {
            logger.debug("SMTP request", metadata: ["smtp.server": "\(server.endpoint)", "smtp.request": "\(step)"])
            channel.writeAndFlush(request, promise: nil)
        }
        let reply: SMTPReply?
        do {
            reply = try await replies.next()
        } catch {
            throw ConnectionFailure.explained(error, during: step, with: server, secure: isSecure || request?.upgrade != nil)
        }
        guard let reply else {
            try Task.checkCancellation()
            throw SMTPError.connectionFailed("\(server.endpoint) closed the connection instead of answering \(step)")
        }
        logger.debug("SMTP reply", metadata: ["smtp.server": "\(server.endpoint)", "smtp.code": "\(reply.code)"])
        return reply
    }
}
