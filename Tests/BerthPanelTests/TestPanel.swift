import AsyncHTTPClient
import BerthHTTP
import BerthProtocol
import BerthTestSupport
import DockerEngine
import FluentKit
import FluentPostgresDriver
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ObjectStorage
import ServiceLifecycle
import Synchronization
import Testing

@testable import BerthDaemon
@testable import BerthPanel
@testable import BerthWeb

/// A real panel on a free loopback port, on a fresh database: a SQLite file, or a fresh PostgreSQL
/// database when `BERTH_TEST_DATABASE_URL` names a server (scripts/test runs the suite both ways).
/// With `withNode`, a real daemon over the real Docker engine runs beside it as a registered node; with
/// `recordingChannel` too, both directions between them pass through ``TCPRecorder``s.
struct TestPanel: PanelAPIClient {
    let port: Int
    let apiKey: String
    let panel: Panel
    let dataDirectory: String
    let databaseURL: String?
    let node: NodeHandle?

    struct NodeHandle: Sendable {
        let id: String
        let credentials: NodeCredentials
        let daemonPort: Int
        let docker: DockerEngine
        /// The label on every container of the node.
        let containerLabel: String
        /// What crossed the wire panel → node and node → panel, when recorded.
        let recorders: [TCPRecorder]
        /// Where the node serves SFTP, when asked to.
        let sftpPort: Int?
    }

    static func with<Result: Sendable>(
        withNode: Bool = false,
        withSFTP: Bool = false,
        recordingChannel: Bool = false,
        failedAuthenticationLimit: Int = 10,
        trustedProxies: TrustedProxies = TrustedProxies(),
        onSQLite: Bool = false,
        backupBucket: S3Bucket? = nil,
        metricsToken: String? = nil,
        _ body: @Sendable (TestPanel) async throws -> Result
    ) async throws -> Result {
        let dataDirectory = NSTemporaryDirectory() + "berth-panel-test-\(UUID().uuidString.prefix(8))"
        let databaseURL = onSQLite ? nil : try await TestDatabase.freshURL()
        var logger = Logger(label: "test.panel")
        logger.logLevel = .warning
        let panel = try await Panel.open(
            PanelConfiguration(
                host: "127.0.0.1",
                port: 0,
                dataDirectory: dataDirectory,
                databaseURL: databaseURL,
                failedAuthenticationLimit: failedAuthenticationLimit,
                trustedProxies: trustedProxies,
                // Every node of the live tests runs on this machine.
                allowsLoopbackNodes: true,
                // So do the webhook receivers.
                allowsPrivateWebhooks: true,
                backupBucket: backupBucket,
                metricsToken: metricsToken
            ),
            logger: logger
        )
        let apiKey = try await panel.createAPIKey(name: "tests")
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var services: [any Service] = [panel.application(frontEnd: try WebUI(panel: panel)) { portContinuation.yield($0) }]
        var groupConfiguration = ServiceGroupConfiguration(services: services, logger: logger)
        // As `berth panel` does: a shutdown that does not finish in time is cancelled, never waited on for ever.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(20)
        let group = ServiceGroup(configuration: groupConfiguration)
        let outcome: Swift.Result<Result, any Error> = await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try? await group.run() }
            defer { Task { await group.triggerGracefulShutdown() } }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return .failure(TestFailure("the panel never listened")) }
            let result: Swift.Result<Result, any Error>
            if withNode {
                result = await withNodeBeside(
                    panel: panel,
                    panelPort: port,
                    dataDirectory: dataDirectory,
                    recording: recordingChannel,
                    sftp: withSFTP
                ) { node in
                    try await body(
                        TestPanel(port: port, apiKey: apiKey, panel: panel, dataDirectory: dataDirectory, databaseURL: databaseURL, node: node)
                    )
                }
            } else {
                result = await Swift.Result(asyncCatching: {
                    try await body(
                        TestPanel(port: port, apiKey: apiKey, panel: panel, dataDirectory: dataDirectory, databaseURL: databaseURL, node: nil)
                    )
                })
            }
            await group.triggerGracefulShutdown()
            await tasks.waitForAll()
            return result
        }
        services.removeAll()
        try? FileManager.default.removeItem(atPath: dataDirectory)
        return try outcome.get()
    }

    /// Runs a daemon registered as a node of `panel` for as long as `body` runs; its containers are
    /// removed at the end.
    private static func withNodeBeside<Result: Sendable>(
        panel: Panel,
        panelPort: Int,
        dataDirectory: String,
        recording: Bool,
        sftp: Bool,
        _ body: @Sendable (NodeHandle) async throws -> Result
    ) async -> Swift.Result<Result, any Error> {
        await Swift.Result(asyncCatching: {
            let recorders = recording ? [try TCPRecorder(), try TCPRecorder()] : []
            defer {
                for recorder in recorders { recorder.stop() }
            }
            recorders.first?.forward(to: panelPort)
            let credentials = NodeCredentials.generate()
            let certificate = try NodeCertificate.loadOrCreate(in: dataDirectory + "/node")
            var logger = Logger(label: "test.daemon")
            logger.logLevel = .warning
            let configuration = DaemonConfiguration(
                host: "127.0.0.1",
                port: 0,
                dataDirectory: dataDirectory + "/node",
                dockerHost: .fromEnvironment(ProcessInfo.processInfo.environment),
                panelURLs: ["http://127.0.0.1:\(recorders.first?.port ?? panelPort)"],
                credentials: credentials,
                certificate: certificate,
                nodeID: TestNode.newID(),
                publishAddress: "127.0.0.1",
                sftpPort: sftp ? try TestPorts.free() : nil
            )
            return try await RunningDaemon.with(configuration, logger: logger) { daemonPort, daemon in
                recorders.last?.forward(to: daemonPort)
                try await panel.registerLocalNode(
                    port: recorders.last?.port ?? daemonPort,
                    credentials: credentials,
                    certificatePEM: certificate.certificatePEM,
                    ram: 4096,
                    disk: 10240,
                    cores: 2
                )
                let node = try #require(
                    try await Node.query(on: panel.database.db()).filter(\.$tokenDigest == Secrets.digest(credentials.toPanel)).first()
                )
                let handle = NodeHandle(
                    id: try node.requireID().uuidString.lowercased(),
                    credentials: credentials,
                    daemonPort: daemonPort,
                    docker: daemon.docker,
                    containerLabel: configuration.containerLabel,
                    recorders: recorders,
                    sftpPort: configuration.sftpPort
                )
                // Wait for the first heartbeat, which makes the node online.
                let deadline = ContinuousClock.now + .seconds(30)
                while try await Node.find(node.requireID(), on: panel.database.db())?.lastSeenAt == nil {
                    guard ContinuousClock.now < deadline else { throw TestFailure("the node never sent a heartbeat") }
                    try await Task.sleep(for: .milliseconds(50))
                }
                return try await body(handle)
            }
        })
    }

    // MARK: - HTTP

    /// The head of a browser's handshake for the instance's console socket, from this panel's own page, with
    /// the session cookie `cookie`: by hand, because client libraries send an Origin without the port.
    func consoleHandshake(_ id: String, cookie: String) -> String {
        RawHTTP.webSocketHandshake(
            "/instances/\(id)/socket",
            port: port,
            headers: ["Origin: http://127.0.0.1:\(port)", "Cookie: berth_session=\(cookie)"]
        )
    }

    /// The environment a `berth` command needs to act on this panel's database (its SQLite file, or its
    /// PostgreSQL database).
    var commandEnvironment: [String: String] {
        ["BERTH_DATABASE_URL": databaseURL ?? ""]
    }

    /// A browser of its own, talking to this live panel.
    func browser(forwardedFor: String? = nil) -> WebClient {
        WebClient(port: port, forwardedFor: forwardedFor)
    }

    /// Every answer a test sees, so a test can check that none of them holds a secret.
    static let seen = Mutex<[String]>([])

    func request(_ method: HTTPMethod, _ path: String, json: String? = nil, apiKey: String?? = .none) async throws -> HTTPAnswer {
        try await request(method, path, json: json, bytes: nil, headers: [], apiKey: apiKey)
    }

    func request(
        _ method: HTTPMethod,
        _ path: String,
        json: String? = nil,
        bytes: Data?,
        headers: [(String, String)] = [],
        apiKey: String?? = .none
    ) async throws -> HTTPAnswer {
        let key: String? =
            switch apiKey {
            case .none: self.apiKey
            case .some(let value): value
            }
        let answer = try await HTTPAnswer.request(
            method,
            "http://127.0.0.1:\(port)\(path)",
            headers: headers + (key.map { [("x-api-key", $0)] } ?? []),
            json: json,
            bytes: bytes
        )
        Self.seen.withLock { $0.append(answer.text) }
        return answer
    }

    func instance(_ id: String) async throws -> [String: Any] {
        try await request(.POST, "/api/getInstance", ["id": id]).object
    }

    /// Polls getInstance until `condition` holds.
    @discardableResult
    func waitFor(_ id: String, _ what: String, limit: Duration = .seconds(60), _ condition: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + limit
        var last = try await instance(id)
        while !condition(last) {
            guard ContinuousClock.now < deadline else { throw TestFailure("instance \(id) never became \(what); last: \(last)") }
            try await Task.sleep(for: .milliseconds(100))
            last = try await instance(id)
        }
        return last
    }
}

/// A fresh database for each test on PostgreSQL; nil means SQLite in the test's data directory.
enum TestDatabase {
    static var serverURL: String? {
        ProcessInfo.processInfo.environment["BERTH_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static func freshURL() async throws -> String? {
        guard let serverURL else { return nil }
        let name = "berth_test_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        let databases = Databases(threadPool: NIOThreadPool.singleton, on: MultiThreadedEventLoopGroup.singleton)
        databases.use(try .postgres(url: serverURL), as: .psql)
        defer { Task { await databases.shutdownAsync() } }
        guard
            let sql = databases.database(logger: Logger(label: "test.postgres"), on: MultiThreadedEventLoopGroup.singleton.any()) as? any SQLDatabase
        else {
            throw TestFailure("no PostgreSQL database")
        }
        try await sql.raw("CREATE DATABASE \(unsafeRaw: name)").run()
        guard var components = URLComponents(string: serverURL) else { throw TestFailure("bad BERTH_TEST_DATABASE_URL") }
        components.path = "/" + name
        return components.string
    }
}
