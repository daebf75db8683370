import NIOCore

/// The client's end of the pipeline: splits the server's bytes into CRLF lines and replies, hands each reply to the
/// client's task in order, and switches the connection to TLS the moment the server agrees to STARTTLS.
///
/// It counts the replies the client waits for (the greeting, then one per request, as the client never pipelines)
/// and refuses any other: a reply nobody asked for would be taken as the answer to the next command. That is
/// also what stops plain-text replies injected after STARTTLS from being read as if they came through TLS.
final class SMTPChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = SMTPRequest
    typealias OutboundOut = ByteBuffer

    /// RFC 5321 allows 512 bytes a reply line; some servers send longer ones, but nothing needs more than this.
    static let maximumLineLength = 8192

    private let replies: AsyncThrowingStream<SMTPReply, any Error>.Continuation
    private var received = ByteBuffer()
    private var parser = SMTPReplyParser()
    private var awaitedReplies = 1
    private var pendingUpgrade: TLSUpgrade?
    private var failed = false

    init(replies: AsyncThrowingStream<SMTPReply, any Error>.Continuation) {
        self.replies = replies
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        awaitedReplies += 1
        if let upgrade = request.upgrade { pendingUpgrade = upgrade }
        // The client only awaits replies; a write that fails ends the replies with its error instead.
        let written = promise ?? context.eventLoop.makePromise()
        let replies = self.replies
        let channel = context.channel
        written.futureResult.whenFailure { error in
            replies.finish(throwing: error)
            channel.close(promise: nil)
        }
        context.write(wrapOutboundOut(request.bytes), promise: written)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        do {
            while let line = try nextLine() {
                guard let reply = try parser.add(line: line.readableBytesView) else { continue }
                guard awaitedReplies > 0 else {
                    throw SMTPError.connectionFailed("the server sent a reply nobody asked for: \(reply.code) \(reply.text)")
                }
                awaitedReplies -= 1
                if let upgrade = pendingUpgrade {
                    pendingUpgrade = nil
                    if reply.code == 220 { try startTLS(upgrade, context: context) }
                }
                replies.yield(reply)
            }
            received.discardReadBytes()
        } catch {
            fail(error, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        replies.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, context: context)
    }

    /// The next complete line without its line end, or nil until one has arrived.
    private func nextLine() throws -> ByteBuffer? {
        guard let end = received.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            guard received.readableBytes <= Self.maximumLineLength else {
                throw SMTPError.connectionFailed("the server sent a line longer than \(Self.maximumLineLength) bytes")
            }
            return nil
        }
        let length = end - received.readerIndex
        guard var line = received.readSlice(length: length + 1) else { return nil }
        line.moveWriterIndex(to: line.writerIndex - 1)
        if line.readableBytesView.last == UInt8(ascii: "\r") { line.moveWriterIndex(to: line.writerIndex - 1) }
        return line
    }

    /// Puts TLS in front of this handler, before anything else is read: bytes already here arrived in plain text
    /// after the server agreed, where only the TLS handshake may come, so they are refused.
    private func startTLS(_ upgrade: TLSUpgrade, context: ChannelHandlerContext) throws {
        guard received.readableBytes == 0 else {
            throw SMTPError.connectionFailed("the server sent plain text after agreeing to STARTTLS")
        }
        try context.pipeline.syncOperations.addHandler(upgrade.makeHandler(), position: .first)
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        failed = true
        replies.finish(throwing: error)
        context.close(promise: nil)
    }
}
