import AsyncHTTPClient
import BerthHTTP
import BerthProtocol
import DockerEngine
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import SFTP
import ServiceLifecycle

/// The node daemon: its HTTP API and console sockets over the instance supervisor and the node's Docker engine.
///
/// This is the composition root: ``init(configuration:docker:logger:)`` builds every part from the
/// configuration and hands them to each other; ``application(onServerRunning:)`` is what runs.
public struct Daemon: Sendable {
    public let configuration: DaemonConfiguration
    public let docker: DockerEngine
    let supervisor: InstanceSupervisor
    let tasks: BackgroundTasks
    let reporter: PanelReporter
    let heartbeats: HeartbeatSender
    let nodeInfo: NodeInfoSource
    let tokens: ConsoleTokens
    let network: TenantNetwork
    /// The SFTP server, when the configuration gives it a port.
    let sftp: SFTPService?
    /// The daemon's own client to its panel, closed with it.
    let panelClient: ClientService
    /// What `/metrics` serves.
    let metrics: MetricsRegistry
    let gauges: DaemonGauges
    let logger: Logger

    /// How often the tenant firewall is rebuilt from the running containers, besides after each start.
    static let firewallRefreshInterval: Duration = .seconds(30)

    public init(
        configuration: DaemonConfiguration,
        docker: DockerEngine,
        logger: Logger = Logger(label: "berth.daemon")
    ) async throws {
        var logger = logger
        // Every line the node's parts write says which node: one collector gathers many nodes' logs.
        logger[metadataKey: "node"] = .string(configuration.nodeID)
        self.configuration = configuration
        self.docker = docker
        self.logger = logger
        // Posts to the panel have their own retries, and a replica that refuses hands them to the next.
        let panelClient = ClientService(retryingConnections: false)
        self.panelClient = panelClient
        let connection =
            configuration.panelURLs.isEmpty
            ? nil
            : PanelConnection(
                panelURLs: configuration.panelURLs,
                signingKey: configuration.credentials.toPanel,
                httpClient: panelClient.client,
                logger: logger
            )
        let tasks = BackgroundTasks()
        let metrics = MetricsRegistry()
        self.metrics = metrics
        let blueprint = ContainerBlueprint(configuration: configuration)
        let network = TenantNetwork(
            docker: docker,
            isolates: configuration.isolatesNetwork,
            fencesPrivateNetworks: !configuration.allowsPrivateNetwork,
            logger: logger
        )
        self.network = network
        self.tasks = tasks
        self.reporter = PanelReporter(connection: connection, longestWait: configuration.heartbeatInterval)
        self.tokens = await ConsoleTokens(nodeToken: configuration.credentials.toNode)
        let disks = InstanceDisks(
            support: await InstanceDisks.detectSupport(
                dataDirectory: configuration.dataDirectory,
                volumesDirectory: configuration.volumesDirectory,
                volumesImageBytes: configuration.volumesImageBytes
            ),
            dataDirectory: configuration.dataDirectory,
            volumesDirectory: configuration.volumesDirectory
        )
        logger.info("disk limits: \(disks.support.mode.rawValue): \(disks.support.detail)")
        self.supervisor = InstanceSupervisor(
            docker: docker,
            blueprint: blueprint,
            installer: Installer(
                docker: docker,
                blueprint: blueprint,
                configuration: configuration,
                network: network,
                tasks: tasks,
                logger: logger
            ),
            disks: disks,
            tasks: tasks,
            reporter: reporter,
            stateFile: StateFile(dataDirectory: configuration.dataDirectory),
            crashPolicy: CrashPolicy(limit: configuration.crashLimit, window: configuration.crashWindow),
            containerLabel: configuration.containerLabel,
            metrics: metrics,
            logger: logger
        )
        var sftp: SFTPService?
        if let port = configuration.sftpPort {
            sftp = SFTPService(
                host: configuration.sftpHost ?? configuration.host,
                port: port,
                hostKey: try SFTPHostKey.loadOrCreate(at: configuration.sftpHostKeyFile),
                panel: connection,
                supervisor: supervisor,
                tasks: tasks,
                limits: SFTPServerLimits(),
                logger: logger
            )
        }
        self.sftp = sftp
        self.gauges = DaemonGauges(supervisor: supervisor, reporter: reporter, sftp: sftp, metrics: metrics)
        self.nodeInfo = NodeInfoSource(
            docker: docker,
            dataDirectory: configuration.dataDirectory,
            certificatePEM: configuration.certificate?.certificatePEM,
            diskLimits: disks.support,
            sftp: sftp,
            supervisor: supervisor
        )
        self.heartbeats = HeartbeatSender(connection: connection, source: nodeInfo, interval: configuration.heartbeatInterval)
    }

    /// The daemon as one application: the HTTP server (API and console sockets) with the background work,
    /// the event reports and the heartbeats as its services. Before the server accepts a request it loads
    /// the saved instances; `onServerRunning` then receives the bound port (useful with port 0). With a
    /// certificate in the configuration, both are served over TLS only.
    public func application(
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let plain = HTTPServerBuilder.http1WebSocketUpgrade(
            webSocketRouter: webSocketRouter(),
            additionalChannelHandlers: [ClosingAfterRefusal()]
        )
        var application = Application(
            router: router(),
            server: try configuration.certificate.map { try .tls(plain, tlsConfiguration: $0.serverConfiguration()) } ?? plain,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "berth-daemon"
            ),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        application.addServices(panelClient, tasks, reporter, heartbeats)
        if let sftp { application.addServices(sftp) }
        application.beforeServerStarts { try await prepare() }
        return application
    }

    /// Makes the data directory, loads the saved instances, and says whether Docker answers; a missing
    /// engine is not fatal. Matching the instances with Docker's containers happens in the background.
    private func prepare() async throws {
        try FileManager.default.createDirectory(
            atPath: configuration.volumesDirectory,
            withIntermediateDirectories: true
        )
        try await supervisor.loadState()
        do {
            let version = try await docker.version()
            logger.info("Docker \(version.version) answers at \(docker.host)")
        } catch {
            logger.warning("\(DockerAdvice.whenUnavailable(docker.host, error))")
        }
        tasks.spawn { [supervisor] in await supervisor.reconcileWithDocker() }
        tasks.spawn { [network] in
            repeat {
                await network.refresh()
            } while (try? await Task.sleep(for: Self.firewallRefreshInterval)) != nil
        }
    }

    /// The daemon's HTTP routes: `/metrics`, and the API behind the node token.
    func router() -> Router<DaemonRequestContext> {
        let router = Router(context: DaemonRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: ErrorBodyMiddleware())
        MetricsEndpoint<DaemonRequestContext>(
            metrics: metrics,
            token: configuration.metricsToken,
            clientAddress: { $0.remoteAddress?.ipAddress ?? "unknown" },
            refresh: { [gauges] in await gauges.refresh() }
        )
        .addRoutes(to: router)
        router.get(RouterPath(DaemonRoutes.console.pattern)) { _, _ -> Response in
            throw APIError(.upgradeRequired, "the console is a WebSocket; connect to it with a WebSocket client")
        }
        let api = router.group().add(middleware: NodeTokenMiddleware(token: configuration.credentials.toNode))
        SystemController(source: nodeInfo).addRoutes(to: api)
        InstanceController(supervisor: supervisor).addRoutes(to: api)
        FileController(supervisor: supervisor, pull: FilePull(check: DownloadCheck(allowsPrivateAddresses: configuration.allowsPrivateDownloads)))
            .addRoutes(to: api)
        BackupController(supervisor: supervisor).addRoutes(to: api)
        let transfers = TransferController<DaemonRequestContext>(supervisor: supervisor)
        transfers.addRoutes(to: api)
        transfers.addFileRoutes(to: router)
        router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
        return router
    }

    private func webSocketRouter() -> Router<BasicWebSocketRequestContext> {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.add(middleware: ErrorBodyMiddleware())
        ConsoleSocketController(
            supervisor: supervisor,
            tokens: tokens,
            commandsPerSecond: configuration.consoleCommandsPerSecond,
            socketsPerInstance: configuration.consoleSocketsPerInstance
        )
        .addRoutes(to: router)
        return router
    }
}
