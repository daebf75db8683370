import Logging
import NIOCore

/// An SFTP version 3 server (draft-ietf-secsh-filexfer-02) with OpenSSH's extensions, over any byte
/// stream and any ``SFTPFileSystem``. It knows nothing of SSH: the caller gives it the channel's data and
/// sends what it answers.
public struct SFTPServer: Sendable {
    private let fileSystem: any SFTPFileSystem
    private let limits: SFTPServerLimits
    private let logger: Logger

    public init(fileSystem: any SFTPFileSystem, limits: SFTPServerLimits = SFTPServerLimits(), logger: Logger) {
        self.fileSystem = fileSystem
        self.limits = limits
        self.logger = logger
    }

    /// Serves one session: reads requests from `inbound` (bytes as they arrive, split at any point) and
    /// answers each, in arrival order, with one call of `send` carrying one whole packet, so the caller
    /// can apply backpressure by not returning. Returns when `inbound` ends; throws ``SFTPProtocolError``
    /// when the client breaks the protocol or a limit, or what `send` or `inbound` throw. Every handle
    /// still open is closed however it ends.
    public func serve<Inbound: AsyncSequence & Sendable>(
        _ inbound: Inbound,
        send: @Sendable (ByteBuffer) async throws -> Void
    ) async throws where Inbound.Element == ByteBuffer {
        var session = SFTPSession(fileSystem: fileSystem, limits: limits, logger: logger)
        do {
            var assembler = SFTPPacketAssembler(maximumPacketLength: limits.maximumPacketLength)
            for try await bytes in inbound {
                assembler.append(bytes)
                while let packet = try assembler.nextPacket() {
                    try await send(try await session.reply(to: packet).encoded)
                }
            }
            if assembler.holdsPartialPacket {
                logger.debug("The SFTP stream ended inside a packet")
            }
        } catch {
            logger.debug("SFTP session ended", metadata: ["error": "\(error)"])
            await session.closeEveryHandle()
            throw error
        }
        logger.debug("SFTP session ended")
        await session.closeEveryHandle()
    }
}
