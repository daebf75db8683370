import AsyncHTTPClient
import DockerEngine
import Foundation
import BerthHTTP
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle

/// The node daemon: its HTTP API and console sockets over the instance supervisor and the node's Docker engine.
///
/// This is the composition root: it builds every part from the configuration and hands them to each other.
public struct Daemon: Sendable {
    public let configuration: DaemonConfiguration
    public let docker: DockerEngine
    let supervisor: InstanceSupervisor
    let tasks: BackgroundTasks
    let reporter: PanelReporter
    let tokens: ConsoleTokens
    let logger: Logger

    public init(configuration: DaemonConfiguration, docker: DockerEngine, logger: Logger = Logger(label: "berth.daemon")) async {
        self.configuration = configuration
        self.docker = docker
        self.logger = logger
        self.tasks = BackgroundTasks()
        self.reporter = PanelReporter(panelURL: configuration.panelURL, nodeToken: configuration.nodeToken, logger: logger)
        self.tokens = await ConsoleTokens(nodeToken: configuration.nodeToken)
        self.supervisor = InstanceSupervisor(
            docker: docker, configuration: configuration, tasks: tasks, reporter: reporter, logger: logger
        )
    }

    /// Makes the data directory, loads the saved instances, and says whether Docker answers; a missing
    /// engine is not fatal. Matching the instances with Docker's containers happens once the daemon runs.
    public func prepare() async throws {
        try FileManager.default.createDirectory(atPath: configuration.volumesDirectory, withIntermediateDirectories: true)
        try await supervisor.loadState()
        do {
            let version = try await docker.version()
            logger.info("Docker \(version.version) answers at \(docker.host)")
        } catch {
            logger.warning("\(DockerAdvice.whenUnavailable(docker.host, error))")
        }
        tasks.spawn { [supervisor] in await supervisor.reconcileWithDocker() }
        let system = SystemController<BasicRequestContext>(docker: docker, configuration: configuration, supervisor: supervisor)
        reporter.setHeartbeatContent { await system.nodeInfo() }
    }

    /// Everything the daemon runs: the HTTP server, the background work, and the reports to the panel.
    /// `onServerRunning` receives the bound port (useful with port 0).
    public func services(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> [any Service] {
        [application(onServerRunning: onServerRunning), tasks, reporter]
    }

    /// The daemon's HTTP routes, under `/api`, behind the node token.
    func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ErrorBodyMiddleware())
        router.get("api/instances/:id/console") { _, _ -> Response in
            throw APIError(.upgradeRequired, "the console is a WebSocket; connect to it with a WebSocket client")
        }
        let api = router.group("api").add(middleware: NodeTokenMiddleware(token: configuration.nodeToken))
        SystemController(docker: docker, configuration: configuration, supervisor: supervisor).addRoutes(to: api)
        InstanceController(supervisor: supervisor).addRoutes(to: api)
        return router
    }

    private func application(onServerRunning: @escaping @Sendable (Int) async -> Void) -> some Service {
        let webSocketRouter = Router(context: BasicWebSocketRequestContext.self)
        webSocketRouter.add(middleware: ErrorBodyMiddleware())
        ConsoleSocketController(supervisor: supervisor, tokens: tokens).addRoutes(to: webSocketRouter)
        return Application(
            router: router(),
            server: .http1WebSocketUpgrade(webSocketRouter: webSocketRouter),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "berth-daemon"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }
}
