import BerthHTTP
import FluentKit
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import ObjectStorage
import ServiceLifecycle

/// The control plane: users, API keys, nodes, images and instances over a database, serving `/api`.
///
/// This is the panel's composition root: ``open(_:logger:)`` builds every part from the configuration.
public struct Panel: Sendable {
    public let configuration: PanelConfiguration
    let database: PanelDatabase
    package let users: UserStore
    package let nodes: NodeStore
    /// The certificate pinned for each node.
    package let trust: NodeTrust
    package let instances: InstanceStore
    /// The whole lists of instances and users as last written (`GET /api/instances`, `GET /api/users`).
    let lists: ListCache
    /// Who besides their owners reaches instances.
    package let subusers: SubuserStore
    /// The panel's e-mail: its settings, the queue that sends it, and what it carries.
    package let mailSettings: MailSettingsStore
    package let mailer: Mailer
    package let passwordResets: PasswordResets
    package let invitations: Invitations
    package let apiKeys: APIKeyStore
    /// Keeps the API-key cache fresh and acknowledges changes to grants for this process.
    let grantEpochWatcher: GrantEpochWatcher
    package let images: ImageStore
    package let imageImporter: ImageImporter
    /// What front ends persist (web sessions), in the database.
    package let persistence: DatabasePersistDriver
    /// Failed API keys per client address.
    let keyThrottle: FailureThrottle
    /// Failed sign-ins per client address, and per account at one address.
    package let signInThrottles: SignInThrottles
    package let audit: AuditLog
    /// SFTP logins the nodes ask about, and the keys and passwords users keep for them.
    package let sftpLogins: SFTPLogins
    package let sftpCredentials: SFTPCredentials
    /// The console sockets each user has open, across panel processes.
    package let consoleSlots: ConsoleSlots
    /// Webhooks, and the service that sends their deliveries.
    package let webhooks: WebhookStore
    let webhookSender: WebhookSender
    /// Runs schedules when they are due (one per panel process; replicas claim each run once).
    package let scheduleRunner: ScheduleRunner
    /// Tells webhooks of nodes going offline and coming back.
    let nodeWatcher: NodeWatcher
    /// The panel's own client to its nodes, closed with it.
    let nodeClient: ClientService
    /// What `/metrics` serves: requests as they happen, the database's counts when scraped.
    package let metrics: MetricsRegistry
    let gauges: PanelGauges
    /// The panel's secret, from which the keys that seal stored secrets and sign visitors' cookies derive.
    package let key: PanelKey
    /// Seals the secrets the database keeps whole (nodes' channel secrets, TOTP secrets).
    package let box: SecretBox
    let logger: Logger
    /// This panel process in the database's register of live processes (``GrantEpoch``), fresh at each start.
    let process: String

    /// Opens the database and applies its migrations.
    public static func open(_ configuration: PanelConfiguration, logger: Logger = Logger(label: "berth.panel")) async throws -> Panel {
        try FileManager.default.createDirectory(
            atPath: configuration.dataDirectory,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
        let key = try PanelKey.loadOrCreate(at: configuration.keyFile)
        let database = try await PanelDatabase(configuration.databaseLocation, box: SecretBox(panelKey: key), logger: logger)
        return Panel(configuration: configuration, key: key, database: database, logger: logger)
    }

    init(configuration: PanelConfiguration, key: PanelKey, database: PanelDatabase, logger: Logger) {
        self.configuration = configuration
        self.key = key
        box = SecretBox(panelKey: key)
        self.database = database
        self.logger = logger
        users = UserStore(database: database, box: box, initialPasswordFile: configuration.initialPasswordFile)
        process = UUID().uuidString.lowercased()
        let liveness = NodeLiveness(timeout: configuration.nodeTimeout)
        nodes = NodeStore(
            database: database,
            liveness: liveness,
            panelURL: configuration.publicURL,
            allowsLoopback: configuration.allowsLoopbackNodes,
            box: box,
            lowestHostPort: configuration.allowsLowHostPorts ? 1 : 1024
        )
        trust = NodeTrust(database: database)
        nodeClient = ClientService()
        let metrics = MetricsRegistry()
        self.metrics = metrics
        gauges = PanelGauges(database: database, liveness: liveness, metrics: metrics)
        mailSettings = MailSettingsStore(database: database, box: box, configured: configuration.mail)
        mailer = Mailer(settings: mailSettings, logger: logger)
        passwordResets = PasswordResets(database: database, users: users, mailer: mailer, publicURL: configuration.publicURL)
        invitations = Invitations(database: database, users: users, mailer: mailer, publicURL: configuration.publicURL)
        subusers = SubuserStore(database: database, invitations: invitations)
        let epochs = ListEpochReader(database: database)
        instances = InstanceStore(
            database: database,
            subusers: subusers,
            daemons: DaemonClient(httpClient: nodeClient.client, box: box),
            liveness: liveness,
            process: process,
            allowsLowHostPorts: configuration.allowsLowHostPorts,
            backupBucket: configuration.backupBucket.map { S3Client(bucket: $0) },
            background: BackgroundWork(),
            backupLinks: BackupLinks(key: key.derived(for: "backup links")),
            copies: InstanceReadCopies(epochs: epochs),
            logger: logger
        )
        lists = ListCache(epochs: epochs)
        scheduleRunner = ScheduleRunner(instances: instances, interval: .seconds(10), logger: logger)
        nodeWatcher = NodeWatcher(database: database, instances: instances, liveness: liveness)
        let outbound = OutboundCheck(
            allowsPrivateAddresses: configuration.allowsPrivateWebhooks,
            allowsThisMachine: configuration.allowsPrivateWebhooks,
            wording: .webhooks
        )
        webhooks = WebhookStore(database: database, box: box, check: outbound)
        webhookSender = WebhookSender(database: database, box: box, check: outbound, interval: .seconds(1), logger: logger)
        let verifiedKeys = VerifiedKeys()
        apiKeys = APIKeyStore(database: database, verified: verifiedKeys)
        grantEpochWatcher = GrantEpochWatcher(epoch: GrantEpoch(database: database), keys: verifiedKeys, logger: logger, process: process)
        images = ImageStore(database: database)
        imageImporter = ImageImporter(database: database)
        persistence = DatabasePersistDriver(database: database, logger: logger)
        keyThrottle = FailureThrottle(database: database, policy: .failedKeys(free: configuration.failedAuthenticationLimit))
        signInThrottles = SignInThrottles(database: database, clientLimit: configuration.failedAuthenticationLimit)
        audit = AuditLog(database: database)
        sftpCredentials = SFTPCredentials(database: database)
        sftpLogins = SFTPLogins(
            database: database,
            users: users,
            subusers: subusers,
            throttles: signInThrottles,
            audit: audit,
            credentials: sftpCredentials,
            logger: logger
        )
        consoleSlots = ConsoleSlots(database: database, limitPerUser: Self.consolesPerUser)
    }

    /// Console sockets one user may have open at once, whichever panel processes relay them.
    package static let consolesPerUser = 10

    /// Closes the database of a panel that was opened but not run (the CLI's case).
    public func close() async {
        try? await nodeClient.client.shutdown()
        await database.close()
    }

    /// The panel as one application: the HTTP server (`/metrics`, the front end's routes, then `/api`) with the
    /// retried deletions, the front end's services and the database (closed last) as its services.
    /// `onServerRunning` receives the bound port (useful with port 0).
    public func application<FrontEnd: PanelFrontEnd>(
        frontEnd: FrontEnd,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: FrontEnd.Context.self)
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: ErrorBodyMiddleware())
        if !configuration.trustedProxies.isEmpty {
            router.add(middleware: ClientAddressMiddleware(trustedProxies: configuration.trustedProxies))
        }
        MetricsEndpoint<FrontEnd.Context>(
            metrics: metrics,
            token: configuration.metricsToken,
            clientAddress: { $0.clientAddress },
            refresh: { [gauges] in await gauges.refresh() }
        )
        .addRoutes(to: router)
        frontEnd.addRoutes(to: router)
        addRoutes(to: router)
        router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
        var application = Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: router, additionalChannelHandlers: [ClosingAfterRefusal()]),
            configuration: serverConfiguration,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        application.addServices(
            database,
            nodeClient,
            mailer,
            UnfinishedWork(
                instances: instances,
                lease: WorkLease(database: database, name: "unfinished-work", holder: process),
                interval: .seconds(5)
            ),
            scheduleRunner,
            nodeWatcher,
            webhookSender,
            instances.background,
            grantEpochWatcher
        )
        application.addServices(frontEnd.services)
        return application
    }

    private var serverConfiguration: ApplicationConfiguration {
        .init(address: .hostname(configuration.host, port: configuration.port), serverName: "berth")
    }

    /// The panel's own routes: `/api` behind the API key, the nodes' callbacks behind their signatures, and the
    /// benchmarks' reference route when configured.
    func addRoutes<Context: PanelRequestContext>(to router: Router<Context>) {
        if configuration.benchCeiling { CeilingController<Context>(database: database).addRoutes(to: router) }
        RemoteController<Context>(
            database: database,
            instances: instances,
            trust: trust,
            nonces: CallbackNonces(database: database),
            box: box,
            sftp: sftpLogins,
            nodeWatcher: nodeWatcher
        )
        .addRoutes(to: router.group("api"))
        BackupLinkController<Context>(instances: instances).addRoutes(to: router.group("api"))
        let api = router.group("api")
            .add(middleware: APIKeyMiddleware<Context>(keys: apiKeys, throttle: keyThrottle))
            .add(middleware: APIAuditMiddleware<Context>(audit: audit))
        UserController<Context>(users: users, lists: lists).addRoutes(to: api)
        InstanceController<Context>(instances: instances, subusers: subusers, users: users, lists: lists).addRoutes(to: api)
        SubuserController<Context>(instances: instances, subusers: subusers, users: users).addRoutes(to: api)
        FileController<Context>(instances: instances, subusers: subusers).addRoutes(to: api)
        BackupController<Context>(instances: instances, subusers: subusers, publicURL: configuration.publicURL).addRoutes(to: api)
        ScheduleController<Context>(instances: instances, subusers: subusers).addRoutes(to: api)
        WebhookController<Context>(webhooks: webhooks, instances: instances, subusers: subusers).addRoutes(to: api)
        NodeController<Context>(nodes: nodes).addRoutes(to: api)
        ImageController<Context>(images: images, importer: imageImporter).addRoutes(to: api)
        OpenAPIController<Context>().addRoutes(to: api)
    }
}
