import Foundation
import NIOCore
import NIOPosix

extension DockerEngine {
    /// Attaches to a container's stdin, stdout and stderr for as long as `body` runs.
    ///
    /// AsyncHTTPClient cannot take over a connection, so this speaks HTTP/1.1 by hand on a raw
    /// SwiftNIO channel: `POST /containers/{id}/attach` with `Upgrade: tcp`, then the connection
    /// carries the container's streams both ways. Read `output` in the task that runs `body`;
    /// `input` may be handed to other tasks. The connection closes when `body` returns.
    ///
    /// - Parameter includeLogs: also replay what the container wrote before the attach.
    public func withAttachment<Result: Sendable>(
        to id: String,
        includeLogs: Bool = false,
        _ body: (_ output: ContainerOutput<NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator>, _ input: ContainerInput) async throws -> Result
    ) async throws -> Result {
        let isMultiplexed = try await !inspectContainer(id).configuration.tty
        let channel = try await connectRaw()
        return try await channel.executeThenClose { inbound, outbound in
            let target = requestTarget(
                "/containers/\(escaped(id))/attach",
                query: [("stream", "1"), ("stdin", "1"), ("stdout", "1"), ("stderr", "1"), ("logs", includeLogs.queryValue)]
            )
            let head =
                "POST \(target) HTTP/1.1\r\nHost: docker\r\nContent-Type: text/plain\r\n"
                + "Content-Length: 0\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
            try await outbound.write(ByteBuffer(string: head))
            var bytes = inbound.makeAsyncIterator()
            let leftover = try await readUpgradeResponse(from: &bytes)
            let output = ContainerOutput(bytes: bytes, isMultiplexed: isMultiplexed, alreadyReceived: leftover)
            return try await body(output, ContainerInput(writer: outbound))
        }
    }

    /// Opens a plain byte channel to the engine.
    private func connectRaw() async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try checkSocketExists()
        let bootstrap = ClientBootstrap(group: eventLoopGroup).connectTimeout(.seconds(5))
        let initializer: @Sendable (any Channel) -> EventLoopFuture<NIOAsyncChannel<ByteBuffer, ByteBuffer>> = { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel(
                    wrappingChannelSynchronously: channel,
                    configuration: .init(isOutboundHalfClosureEnabled: true)
                )
            }
        }
        do {
            switch host {
            case .unixSocket(let path):
                return try await bootstrap.connect(unixDomainSocketPath: path, channelInitializer: initializer)
            case .tcp(let hostName, let port):
                return try await bootstrap.connect(host: hostName, port: port, channelInitializer: initializer)
            }
        } catch {
            throw DockerEngineError.engineUnavailable(host: host.description, reason: String(describing: error))
        }
    }

    /// Reads the answer to the attach request up to the end of its head. On success returns the bytes that
    /// already followed the head (the start of the stream); otherwise throws the engine's error.
    private func readUpgradeResponse(
        from bytes: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    ) async throws -> ByteBuffer {
        var received = ByteBuffer()
        let terminator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            guard var buffer = try await bytes.next() else {
                throw DockerEngineError.malformedResponse(reason: "the connection closed before the attach was answered")
            }
            received.writeBuffer(&buffer)
            headEnd = received.readableBytesView.firstRange(of: terminator).map { $0.upperBound - received.readerIndex }
            if headEnd == nil, received.readableBytes > 64 * 1024 {
                throw DockerEngineError.malformedResponse(reason: "the attach answer has no end of head")
            }
        }
        let head = received.readString(length: headEnd ?? 0) ?? ""
        let statusLine = head.split(separator: "\r\n", maxSplits: 1).first ?? ""
        let statusParts = statusLine.split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw DockerEngineError.malformedResponse(reason: "attach answered \(statusLine.prefix(80))")
        }
        if status == 101 || status == 200 {
            return received
        }
        // An error: its body is the engine's JSON message, usually complete already; wait for it if not.
        let contentLength = head.split(separator: "\r\n")
            .first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }
        while received.readableBytes < (contentLength ?? 0), var buffer = try await bytes.next() {
            received.writeBuffer(&buffer)
        }
        throw DockerEngineError.fromResponse(status: status, body: Array(received.readableBytesView))
    }
}

/// A container's stdin while attached. Sendable, so a task other than the reader may write.
public struct ContainerInput: Sendable {
    let writer: NIOAsyncChannelOutboundWriter<ByteBuffer>

    /// Writes text to stdin as it is; add the newline a console command needs.
    public func write(_ text: String) async throws {
        try await writer.write(ByteBuffer(string: text))
    }

    public func write(_ bytes: ByteBuffer) async throws {
        try await writer.write(bytes)
    }

    /// Closes our side of stdin. A container created with `stdinOnce` then reads end-of-file and its output
    /// keeps flowing; any other keeps its stdin open and the engine ends this attachment's output.
    public func close() {
        writer.finish()
    }
}
