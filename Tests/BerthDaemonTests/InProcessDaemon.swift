import BerthDaemon
import BerthHTTP
import BerthProtocol
import BerthTestSupport
import DockerEngine
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1

/// The daemon's API driven in-process with HummingbirdTesting's router mode: the real router, middleware
/// and supervisor, no socket, and an engine address where nothing answers — for the refusals that need
/// no container.
struct InProcessDaemon: Sendable {
    let client: any TestClientProtocol
    let token: String

    static func with(_ body: @Sendable (InProcessDaemon) async throws -> Void) async throws {
        let dataDirectory = TestDaemon.makeDataDirectory()
        let token = "test-node-token-\(UUID().uuidString)"
        let dockerHost = DockerHost.unixSocket(path: "/nonexistent/berth-test/docker.sock")
        let configuration = DaemonConfiguration(
            host: "127.0.0.1",
            port: 0,
            dataDirectory: dataDirectory,
            dockerHost: dockerHost,
            credentials: NodeCredentials(toNode: token, toPanel: "test-callback-key-\(UUID().uuidString)"),
            nodeID: try NodeIdentity.loadOrCreate(in: dataDirectory)
        )
        var logger = Logger(label: "test.daemon")
        logger.logLevel = .error
        let docker = DockerEngine(host: dockerHost, logger: logger)
        let daemon = try await Daemon(configuration: configuration, docker: docker, logger: logger)
        let outcome = await Result(asyncCatching: {
            let application = try daemon.application()
            try await application.test(.router) { client in
                try await body(InProcessDaemon(client: client, token: token))
            }
        })
        try await docker.shutdown()
        try? FileManager.default.removeItem(atPath: dataDirectory)
        try outcome.get()
    }

    /// One request with the node token, another one, or none (`token: .some(nil)`).
    func request(
        _ method: NIOHTTP1.HTTPMethod,
        _ path: String,
        json: String? = nil,
        token: String?? = .none
    ) async throws -> HTTPAnswer {
        guard let method = HTTPRequest.Method(method.rawValue) else { throw TestFailure("no method \(method)") }
        var headers: HTTPFields = [:]
        let bearer: String? =
            switch token {
            case .none: self.token
            case .some(let value): value
            }
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) {
            HTTPAnswer(status: Int($0.status.code), body: Data(buffer: $0.body))
        }
    }

    func request(_ method: NIOHTTP1.HTTPMethod, _ path: String, body: some Encodable) async throws -> HTTPAnswer {
        try await request(method, path, json: String(decoding: JSONEncoder().encode(body), as: UTF8.self))
    }

    func power(_ action: PowerAction, _ id: String) async throws -> HTTPAnswer {
        try await request(.POST, "/api/instances/\(id)/power", body: PowerRequest(action: action))
    }
}
