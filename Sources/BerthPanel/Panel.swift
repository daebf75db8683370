import BerthHTTP
import FluentKit
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceLifecycle

/// The control plane: users, API keys, nodes, images and instances over a database, serving `/api`.
///
/// This is the panel's composition root: ``open(_:logger:)`` builds every part from the configuration.
public struct Panel: Sendable {
    public let configuration: PanelConfiguration
    let database: PanelDatabase
    let users: UserStore
    let nodes: NodeStore
    let instances: InstanceStore
    let apiKeys: APIKeyStore
    let images: ImageImporter
    let limiter: FailedAuthenticationLimiter
    let audit: AuditLog
    let logger: Logger

    /// Opens the database and applies its migrations.
    public static func open(_ configuration: PanelConfiguration, logger: Logger = Logger(label: "berth.panel")) async throws -> Panel {
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let database = try await PanelDatabase(configuration.databaseLocation, logger: logger)
        return Panel(configuration: configuration, database: database, logger: logger)
    }

    init(configuration: PanelConfiguration, database: PanelDatabase, logger: Logger) {
        self.configuration = configuration
        self.database = database
        self.logger = logger
        users = UserStore(database: database)
        nodes = NodeStore(database: database, panelURL: configuration.publicURL)
        instances = InstanceStore(database: database, daemons: DaemonClient(), logger: logger)
        apiKeys = APIKeyStore(database: database)
        images = ImageImporter(database: database)
        limiter = FailedAuthenticationLimiter(limit: configuration.failedAuthenticationLimit)
        audit = AuditLog(database: database)
    }

    /// Closes the database of a panel that was opened but not run (the CLI's case).
    public func close() async {
        await database.close()
    }

    /// Everything the panel runs: the HTTP server (API and web UI), the retried deletions, the purge of
    /// expired web sessions, and the database (closed last).
    public func services(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> [any Service] {
        let web = try WebUI(panel: self)
        return [
            database, DeletionRetrier(instances: instances, interval: .seconds(5)), web.sessions.driver,
            application(router: router(web: web), onServerRunning: onServerRunning),
        ]
    }

    func router(web: WebUI) -> Router<PanelRequestContext> {
        let router = Router(context: PanelRequestContext.self)
        router.add(middleware: ErrorBodyMiddleware())
        router.add(middleware: PagesOutsideAPIMiddleware(errors: WebErrorMiddleware(pages: web.pages)))
        web.addRoutes(to: router)
        CeilingController.fromEnvironment()?.addRoutes(to: router)
        RemoteController(database: database, instances: instances).addRoutes(to: router.group("api"))
        let api = router.group("api")
            .add(middleware: APIKeyMiddleware(keys: apiKeys, limiter: limiter))
            .add(middleware: APIAuditMiddleware(audit: audit))
        UserController(users: users).addRoutes(to: api)
        InstanceController(instances: instances, users: users).addRoutes(to: api)
        NodeController(nodes: nodes).addRoutes(to: api)
        ImageController(database: database).addRoutes(to: api)
        OpenAPIController().addRoutes(to: api)
        return router
    }

    private func application(router: Router<PanelRequestContext>, onServerRunning: @escaping @Sendable (Int) async -> Void) -> some Service {
        Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "berth"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }
}
