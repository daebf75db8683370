import AsyncHTTPClient
import BerthHTTP
import BerthProtocol
@testable import BerthDaemon
import DockerEngine
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization
import Testing

/// A real daemon on a free loopback port, over the real Docker engine `DOCKER_HOST` names.
struct TestDaemon: Sendable {
    let port: Int
    let token: String
    let configuration: DaemonConfiguration
    let docker: DockerEngine
    let daemon: Daemon

    static let image = "berth-test/busybox:latest"

    /// A fresh data directory for one test; pass it to two daemons in turn to test a restart.
    static func makeDataDirectory() -> String {
        let path = NSTemporaryDirectory() + "berth-daemon-test-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs a daemon for as long as `body` runs, then shuts it down gracefully (containers keep running).
    static func with<Result: Sendable>(
        dataDirectory: String = makeDataDirectory(),
        token: String = "test-node-token-\(UUID().uuidString)",
        panelURL: String? = nil,
        dockerHost: DockerHost = .fromEnvironment(),
        _ body: @Sendable (TestDaemon) async throws -> Result
    ) async throws -> Result {
        let configuration = DaemonConfiguration(
            host: "127.0.0.1", port: 0, dataDirectory: dataDirectory, dockerHost: dockerHost, panelURL: panelURL, nodeToken: token,
            publishAddress: "127.0.0.1", crashWindow: .seconds(60)
        )
        let docker = DockerEngine(host: dockerHost)
        let daemon = await Daemon(configuration: configuration, docker: docker, logger: Logger(label: "test.daemon"))
        try await daemon.prepare()
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let group = ServiceGroup(
            services: daemon.services { port in portContinuation.yield(port) },
            gracefulShutdownSignals: [],
            logger: Logger(label: "test.group")
        )
        let outcome: Swift.Result<Result, any Error>
        do {
            outcome = .success(try await run(group, ports: ports, token: token, configuration: configuration, docker: docker, daemon: daemon, body))
        } catch {
            outcome = .failure(error)
        }
        try await docker.shutdown()
        return try outcome.get()
    }

    private static func run<Result: Sendable>(
        _ group: ServiceGroup,
        ports: AsyncStream<Int>,
        token: String,
        configuration: DaemonConfiguration,
        docker: DockerEngine,
        daemon: Daemon,
        _ body: @Sendable (TestDaemon) async throws -> Result
    ) async throws -> Result {
        try await withThrowingTaskGroup(of: Result?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw TestFailure("the daemon never started listening") }
            let testDaemon = TestDaemon(port: port, token: token, configuration: configuration, docker: docker, daemon: daemon)
            do {
                let result = try await body(testDaemon)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    // MARK: - HTTP

    struct Answer {
        let status: Int
        let body: Data

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try JSONDecoder().decode(T.self, from: body)
        }

        var error: String? { try? decode(ErrorBody.self).error }
    }

    func request(_ method: HTTPMethod, _ path: String, json: String? = nil, token: String?? = .none) async throws -> Answer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        let bearer: String? = switch token {
        case .none: self.token
        case .some(let value): value
        }
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 16 << 20)
        return Answer(status: Int(response.status.code), body: Data(buffer: body))
    }

    func request(_ method: HTTPMethod, _ path: String, body: some Encodable) async throws -> Answer {
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

    func deploy(_ specification: InstanceSpecification) async throws -> InstanceStatus {
        let answer = try await request(.POST, "/api/instances", body: specification)
        guard answer.status == 202 else { throw TestFailure("deploy answered \(answer.status): \(answer.error ?? "")") }
        return try answer.decode(InstanceStatus.self)
    }

    func power(_ action: PowerAction, _ id: String) async throws -> Answer {
        try await request(.POST, "/api/instances/\(id)/power", body: PowerRequest(action: action))
    }

    // MARK: - Console

    func consoleToken(for id: String, expiresIn seconds: Int64 = 300, purpose: String = "console") async throws -> String {
        let tokens = await ConsoleTokens(nodeToken: token)
        return try await tokens.sign(ConsoleTokenClaims(
            purpose: purpose, instanceID: id, subject: "test", expires: Int64(Date().timeIntervalSince1970) + seconds
        ))
    }

    /// Opens the console socket, sends `requests`, and collects messages until `done` says so.
    func withConsole(
        _ id: String,
        token consoleToken: String? = nil,
        send requests: [ConsoleRequest] = [],
        until done: @escaping @Sendable ([ConsoleMessage]) -> Bool
    ) async throws -> [ConsoleMessage] {
        let consoleToken = if let consoleToken { consoleToken } else { try await self.consoleToken(for: id) }
        let collected = Collected()
        _ = try await WebSocketClient.connect(
            url: "ws://127.0.0.1:\(port)/api/instances/\(id)/console?token=\(consoleToken)",
            logger: Logger(label: "test.console")
        ) { inbound, outbound, _ in
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
        storage.withLock { $0.append(message); return $0 }
    }

    var messages: [ConsoleMessage] { storage.withLock { $0 } }
}

extension [ConsoleMessage] {
    var output: String { filter { $0.event == .output }.compactMap(\.data).joined() }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Host ports for test instances: below Linux's ephemeral range (32768 and up), so no outgoing
/// connection holds one by chance, and handed out once each within a test run.
enum TestPorts {
    private static let counter = Mutex(Int.random(in: 20000...25000))

    static func next() -> Int {
        counter.withLock { port in
            port += 1
            return port
        }
    }
}
