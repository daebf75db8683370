import BerthProtocol
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSH
import SFTP
import ServiceLifecycle

/// The node's SFTP server: SSH on its own port (2022 unless configured), only session channels and only
/// the `sftp` subsystem, each login checked by the panel, each session's files reached through the
/// confined layer as the instance's. Sessions whose access goes away (a revoked subuser, a deleted user,
/// a suspended or deleted instance) are cut off within ``accessCheckInterval``.
struct SFTPService: Service {
    let host: String
    let port: Int
    let hostKey: SFTPHostKey
    let panel: PanelConnection?
    let supervisor: InstanceSupervisor
    let tasks: BackgroundTasks
    let sessions = SFTPSessions()
    let activity = SFTPActivityLog()
    /// The port it listens on, once it does.
    private let boundPort = NIOLockedValueBox<Int?>(nil)

    /// What heartbeats tell the panel: nothing until the server listens.
    var endpoint: SFTPEndpoint? {
        boundPort.withLockedValue { $0 }.map { SFTPEndpoint(port: $0, hostKeyFingerprint: hostKey.fingerprint) }
    }
    let limits: SFTPServerLimits
    let logger: Logger

    /// How often open sessions' access is checked again.
    static let accessCheckInterval: Duration = .seconds(2)
    /// A connection that sends nothing for this long is closed.
    static let idleTimeout: TimeAmount = .minutes(15)
    /// A connection that has not signed in by then is closed.
    static let loginGrace: TimeAmount = .seconds(60)
    /// Passwords one connection may try.
    static let loginAttempts = 6

    /// A session channel waiting for its subsystem, with the connection it belongs to.
    struct PendingSession: Sendable {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        let granted: EventLoopFuture<Void>
        let identity: SFTPConnectionIdentity
        let connection: any Channel
    }

    func run() async throws {
        let (pending, arrivals) = AsyncStream<PendingSession>.makeStream()
        let server: any Channel
        do {
            server = try await bootstrap(arrivals).bind(host: host, port: port).get()
        } catch {
            // The rest of the node works without it (files stay reachable through the panel): say so and
            // carry on rather than take the instances down with it.
            logger.error("SFTP cannot listen on \(host):\(port) (\(error)); the node serves no SFTP until it can (--sftp-port picks another port)")
            try? await gracefulShutdown()
            return
        }
        boundPort.withLockedValue { $0 = server.localAddress?.port ?? port }
        logger.info("SFTP listens on \(host):\(server.localAddress?.port ?? port); host key \(hostKey.fingerprint)")
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await checkAccessUntilCancelled() }
                for await session in pending {
                    group.addTask { await serve(session) }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            server.close(promise: nil)
            arrivals.finish()
            sessions.closeAll()
        }
    }

    private func bootstrap(_ arrivals: AsyncStream<PendingSession>.Continuation) -> ServerBootstrap {
        ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { connection in
                connection.eventLoop.makeCompletedFuture {
                    sessions.track(connection)
                    let identity = SFTPConnectionIdentity()
                    var configuration = SSHServerConfiguration(
                        hostKeys: [hostKey.privateKey],
                        userAuthDelegate: SFTPAuthenticator(
                            panel: panel,
                            identity: identity,
                            clientAddress: connection.remoteAddress?.ipAddress ?? "unknown",
                            tasks: tasks,
                            logger: logger
                        )
                    )
                    configuration.maxAuthAttempts = Self.loginAttempts
                    let handler = NIOSSHHandler(
                        role: .server(configuration),
                        allocator: connection.allocator,
                        inboundChildChannelInitializer: { channel, type in
                            Self.openChannel(channel, type: type, identity: identity, connection: connection, arrivals: arrivals)
                        }
                    )
                    try connection.pipeline.syncOperations.addHandlers([
                        IdleStateHandler(allTimeout: Self.idleTimeout), ClosingHandler(), handler, ClosingHandler(),
                    ])
                    connection.eventLoop.scheduleTask(in: Self.loginGrace) {
                        if identity.grant == nil { connection.close(promise: nil) }
                    }
                }
            }
    }

    /// Accepts session channels only (no port forwarding of any kind), and hands each to ``run()``.
    private static func openChannel(
        _ channel: any Channel,
        type: SSHChannelType,
        identity: SFTPConnectionIdentity,
        connection: any Channel,
        arrivals: AsyncStream<PendingSession>.Continuation
    ) -> EventLoopFuture<Void> {
        guard case .session = type else { return channel.eventLoop.makeFailedFuture(ChannelError.operationUnsupported) }
        return channel.eventLoop.makeCompletedFuture {
            let granted = channel.eventLoop.makePromise(of: Void.self)
            try channel.pipeline.syncOperations.addHandlers([SFTPSubsystemGate(granted: granted), SSHChannelDataWriter()])
            let asyncChannel = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            let session = PendingSession(channel: asyncChannel, granted: granted.futureResult, identity: identity, connection: connection)
            if case .terminated = arrivals.yield(session) { channel.close(promise: nil) }
        }
    }

    /// Serves one session once SFTP was asked for, as the instance's files and with the grant's rights.
    private func serve(_ session: PendingSession) async {
        guard (try? await session.granted.get()) != nil, let grant = session.identity.grant else {
            try? await session.channel.channel.close()
            return
        }
        sessions.add(session.connection, grant: grant)
        defer { sessions.remove(session.connection) }
        let fileSystem = InstanceFileSystem(
            supervisor: supervisor,
            instanceID: grant.instanceID,
            readOnly: grant.readOnly,
            denylist: FileDenylist(patterns: grant.deniedPatterns),
            username: grant.username,
            clientAddress: session.connection.remoteAddress?.ipAddress ?? "unknown",
            activity: activity,
            logger: logger
        )
        let server = SFTPServer(fileSystem: fileSystem, limits: limits, logger: logger)
        do {
            try await session.channel.executeThenClose { inbound, outbound in
                try await server.serve(inbound) { try await outbound.write($0) }
            }
        } catch let error as SFTPProtocolError {
            logger.warning("sftp: \(grant.username) on \(grant.instanceID) was cut off: \(error)")
            try? await session.connection.close()
        } catch {
            logger.debug("sftp: the session of \(grant.username) on \(grant.instanceID) ended: \(error)")
        }
    }

    // MARK: - Taking access away

    private func checkAccessUntilCancelled() async {
        while (try? await Task.sleep(for: Self.accessCheckInterval)) != nil {
            await checkAccess()
            await reportActivity()
        }
    }

    /// Posts what sessions changed since the last tick to the panel's audit log; kept for the next tick
    /// when the panel does not take it.
    private func reportActivity() async {
        guard let panel, let batch = activity.take() else { return }
        if await panel.post(batch, to: PanelRemoteRoutes.sftpActivity, what: "\(batch.entries.count) SFTP change(s)") == .failed {
            activity.putBack(batch)
        }
    }

    /// Cuts off sessions whose instance refuses its files now, then asks the panel about the others.
    func checkAccess() async {
        for instanceID in Set(sessions.all.map(\.grant.instanceID)) {
            if let refusal = await supervisor.fileRefusal(of: instanceID) {
                let closed = sessions.cutOff { $0.instanceID == instanceID }
                if closed > 0 { logger.info("sftp: \(closed) session(s) on \(instanceID) cut off: \(refusal.message)") }
            }
        }
        guard let panel else { return }
        let pairs = Set(sessions.all.map { SFTPAccessRequest(instanceID: $0.grant.instanceID, userID: $0.grant.userID) })
        for pair in pairs {
            // A panel that cannot be reached takes nothing away: the sessions were granted, and a panel restart is no revocation.
            guard let (status, body) = try? await panel.ask(pair, at: PanelRemoteRoutes.sftpAccess) else { continue }
            let current = status == 200 ? try? JSONDecoder().decode(SFTPGrant.self, from: body) : nil
            guard [200, 403, 404].contains(status) else { continue }
            let closed = sessions.cutOff { grant in
                grant.instanceID == pair.instanceID && grant.userID == pair.userID
                    && (current?.readOnly != grant.readOnly || current?.deniedPatterns != grant.deniedPatterns)
            }
            if closed > 0 { logger.info("sftp: \(closed) session(s) of \(pair.userID) on \(pair.instanceID) cut off: their access changed") }
        }
    }
}

/// Closes the connection on an error, or when it has been idle too long.
private final class ClosingHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = Any

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}

extension SFTPService: CustomStringConvertible {
    /// Where it listens, never its host key: ServiceLifecycle logs its services at debug level.
    var description: String { "SFTPService(\(host):\(port))" }
}
