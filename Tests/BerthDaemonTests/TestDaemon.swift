import AsyncHTTPClient
import BerthHTTP
import BerthProtocol
import BerthTestSupport
import DockerEngine
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization
import Testing

@testable import BerthDaemon

/// A real daemon on a free loopback port, over the real Docker engine `DOCKER_HOST` names.
struct TestDaemon: Sendable {
    let port: Int
    let token: String
    let configuration: DaemonConfiguration
    let docker: DockerEngine
    let daemon: Daemon

    static let image = TestImage.name

    /// A fresh data directory for one test; pass it to two daemons in turn to test a restart.
    static func makeDataDirectory() -> String {
        let path = NSTemporaryDirectory() + "berth-daemon-test-\(UUID().uuidString.prefix(8))"
        try? TestNode.prepareDataDirectory(path)
        return path
    }

    /// Runs a daemon for as long as `body` runs, then shuts it down gracefully and removes its
    /// containers (kept, with `keepingContainers`, for a second daemon on the same data directory).
    static func with<Result: Sendable>(
        dataDirectory: String = makeDataDirectory(),
        token: String = "test-node-token-\(UUID().uuidString)",
        callbackKey: String = "test-callback-key-\(UUID().uuidString)",
        panelURL: String? = nil,
        dockerHost: DockerHost = .fromEnvironment(ProcessInfo.processInfo.environment),
        keepingContainers: Bool = false,
        host: String = "127.0.0.1",
        publishAddress: String = "127.0.0.1",
        consoleSocketsPerInstance: Int = 20,
        allowsPrivateDownloads: Bool = false,
        isolatesNetwork: Bool = true,
        metricsToken: String? = nil,
        volumesImageBytes: Int64? = nil,
        _ body: @Sendable (TestDaemon) async throws -> Result
    ) async throws -> Result {
        let configuration = DaemonConfiguration(
            host: host,
            port: 0,
            dataDirectory: dataDirectory,
            dockerHost: dockerHost,
            panelURLs: panelURL.map { [$0] } ?? [],
            credentials: NodeCredentials(toNode: token, toPanel: callbackKey),
            nodeID: try NodeIdentity.loadOrCreate(in: dataDirectory),
            publishAddress: publishAddress,
            isolatesNetwork: isolatesNetwork,
            allowsPrivateDownloads: allowsPrivateDownloads,
            consoleSocketsPerInstance: consoleSocketsPerInstance,
            crashWindow: .seconds(60),
            metricsToken: metricsToken,
            volumesImageBytes: volumesImageBytes
        )
        let outcome = await Swift.Result(asyncCatching: {
            try await RunningDaemon.with(configuration, logger: Logger(label: "test.daemon"), keepingContainers: keepingContainers) {
                port,
                daemon in
                try await body(TestDaemon(port: port, token: token, configuration: configuration, docker: daemon.docker, daemon: daemon))
            }
        })
        // The volumes go with the containers; a daemon that hands its containers on hands its data on too.
        if !keepingContainers { try? FileManager.default.removeItem(atPath: dataDirectory) }
        return try outcome.get()
    }

    // MARK: - HTTP

    @discardableResult
    func request(
        _ method: HTTPMethod,
        _ path: String,
        json: String? = nil,
        bytes: Data? = nil,
        headers: [(String, String)] = [],
        token: String?? = .none
    ) async throws -> HTTPAnswer {
        let bearer: String? =
            switch token {
            case .none: self.token
            case .some(let value): value
            }
        return try await HTTPAnswer.request(
            method,
            "http://127.0.0.1:\(port)\(path)",
            headers: headers + (bearer.map { [("Authorization", "Bearer \($0)")] } ?? []),
            json: json,
            bytes: bytes
        )
    }

    @discardableResult
    func request(_ method: HTTPMethod, _ path: String, body: some Encodable) async throws -> HTTPAnswer {
        try await request(method, path, json: String(decoding: JSONEncoder().encode(body), as: UTF8.self))
    }

    func status(of id: String) async throws -> InstanceStatus {
        let answer = try await request(.GET, "/api/instances/\(id)")
        guard answer.status == 200 else { throw TestFailure("GET instance \(id) answered \(answer.status): \(answer.error ?? "")") }
        return try answer.decode(InstanceStatus.self)
    }

    /// Polls the instance until `condition` holds; fails after `limit` with the last status seen.
    @discardableResult
    func waitFor(
        _ id: String,
        limit: Duration = .seconds(60),
        _ what: String,
        _ condition: (InstanceStatus) -> Bool
    ) async throws -> InstanceStatus {
        let deadline = ContinuousClock.now + limit
        var last = try await status(of: id)
        while !condition(last) {
            // A failed install never turns into anything else by itself.
            guard ContinuousClock.now < deadline, last.installState != .failed else {
                throw TestFailure("instance \(id) never became \(what); last: \(last)")
            }
            try await Task.sleep(for: .milliseconds(100))
            last = try await status(of: id)
        }
        return last
    }

    /// Polls the instance until its install has ended, READY or FAILED, and returns that status.
    func waitForInstallToEnd(_ id: String) async throws -> InstanceStatus {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let last = try await status(of: id)
            if last.installState == .ready || last.installState == .failed { return last }
            guard ContinuousClock.now < deadline else { throw TestFailure("the install of \(id) never ended; last: \(last)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    func deploy(_ specification: InstanceSpecification) async throws -> InstanceStatus {
        let answer = try await request(.POST, "/api/instances", body: specification)
        guard answer.status == 202 else { throw TestFailure("deploy answered \(answer.status): \(answer.error ?? "")") }
        return try answer.decode(InstanceStatus.self)
    }

    /// Deploys, waits for the install, starts, and waits until it runs: the preamble of most power and
    /// console tests. Returns the running status.
    @discardableResult
    func deployRunning(_ specification: InstanceSpecification) async throws -> InstanceStatus {
        _ = try await deploy(specification)
        try await waitFor(specification.id, "READY") { $0.installState == .ready }
        let started = try await power(.start, specification.id)
        guard started.status == 200 else { throw TestFailure("start answered \(started.status): \(started.error ?? "")") }
        return try await waitFor(specification.id, "running") { $0.powerState == .running }
    }

    /// The text of a file an instance writes into its volume, once it is there.
    func waitForFile(_ path: String, limit: Duration = .seconds(30)) async throws -> String {
        let deadline = ContinuousClock.now + limit
        while true {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), !text.isEmpty { return text }
            guard ContinuousClock.now < deadline else { throw TestFailure("\(path) never appeared") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    @discardableResult
    func power(_ action: PowerAction, _ id: String) async throws -> HTTPAnswer {
        try await request(.POST, "/api/instances/\(id)/power", body: PowerRequest(action: action))
    }

    // MARK: - Console

    func consoleToken(for id: String, expiresIn seconds: Int64 = 300, purpose: String = "console") async throws -> String {
        let tokens = await ConsoleTokens(nodeToken: token)
        return try await tokens.sign(
            ConsoleTokenClaims(
                purpose: purpose,
                instanceID: id,
                subject: "test",
                expires: Int64(Date().timeIntervalSince1970) + seconds
            )
        )
    }

    /// Opens the console socket (with a fresh console token unless `token` is given) and hands it to `body`.
    func connectConsole(
        _ id: String,
        token consoleToken: String? = nil,
        _ body: @escaping @Sendable (WebSocketInboundStream, WebSocketOutboundWriter) async throws -> Void
    ) async throws {
        let consoleToken = if let consoleToken { consoleToken } else { try await self.consoleToken(for: id) }
        _ = try await WebSocketClient.connect(
            url: "ws://127.0.0.1:\(port)/api/instances/\(id)/console",
            configuration: WebSocketClientConfiguration(additionalHeaders: [.authorization: "Bearer \(consoleToken)"]),
            logger: Logger(label: "test.console")
        ) { inbound, outbound, _ in try await body(inbound, outbound) }
    }

    /// Opens the console socket, sends `requests`, and collects messages until `done` says so.
    func withConsole(
        _ id: String,
        token consoleToken: String? = nil,
        send requests: [ConsoleRequest] = [],
        until done: @escaping @Sendable ([ConsoleMessage]) -> Bool
    ) async throws -> [ConsoleMessage] {
        let collected = Collected()
        try await connectConsole(id, token: consoleToken) { inbound, outbound in
            var iterator = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
            var sent = false
            while let message = try await iterator.next() {
                guard case .text(let text) = message else { continue }
                let decoded = try JSONDecoder().decode(ConsoleMessage.self, from: Data(text.utf8))
                let all = collected.append(decoded)
                if !sent {
                    sent = true
                    for request in requests {
                        try await outbound.writeTextMessage(String(decoding: JSONEncoder().encode(request), as: UTF8.self))
                    }
                }
                if done(all) { break }
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        return collected.messages
    }

    // MARK: - Instances

    static func echoSpecification(
        id: String = "t-\(UUID().uuidString.prefix(8).lowercased())",
        ports: [Int] = [TestPorts.next()],
        startup: String = #"echo ready; while read line; do echo "echo:$line"; if [ "$line" = stop ]; then echo bye; exit 0; fi; done"#,
        install: InstallScript? = nil,
        readyPattern: String? = "ready",
        stop: StopMethod = .command("stop"),
        dockerImage: String = image
    ) -> InstanceSpecification {
        InstanceSpecification(
            id: id,
            name: "test \(id)",
            image: RuntimeImage(
                dockerImage: dockerImage,
                startup: startup,
                environment: ["GREETING": "hello"],
                install: install,
                readyPattern: readyPattern,
                stop: stop,
                stopTimeoutSeconds: 5
            ),
            limits: ResourceLimits(memoryMiB: 64, cpuCores: 0.5, processes: 64),
            ports: ports.map { PortMapping(hostPort: $0, containerPort: $0) },
            primaryPort: ports.first,
            variables: ["MOTD": "hi $(touch /tmp/owned)"]
        )
    }
}

/// Messages gathered by a console reader, shared with the closure that decides when to stop.
final class Collected: Sendable {
    private let storage = Mutex<[ConsoleMessage]>([])

    func append(_ message: ConsoleMessage) -> [ConsoleMessage] {
        storage.withLock {
            $0.append(message)
            return $0
        }
    }

    var messages: [ConsoleMessage] { storage.withLock { $0 } }
}

extension [ConsoleMessage] {
    var output: String { filter { $0.event == .output }.compactMap(\.data).joined() }
}
