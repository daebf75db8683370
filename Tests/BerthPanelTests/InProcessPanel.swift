import BerthPanel
import BerthTestSupport
import BerthWeb
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOHTTP1

/// The panel (`/api` and the web UI) driven in-process with HummingbirdTesting's router mode: a real
/// database (a SQLite file, or a fresh PostgreSQL database when the suite runs on one) and the real router
/// and middleware, but no socket, no node and no Docker, so refusals, validation and the web UI's session
/// rules are checked in milliseconds.
struct InProcessPanel: Sendable {
    let client: any TestClientProtocol
    let apiKey: String
    let panel: Panel

    /// `onSQLite` keeps the panel on its SQLite file even when the suite runs on PostgreSQL.
    static func with(
        failedAuthenticationLimit: Int = 10,
        onSQLite: Bool = false,
        dataDirectory: String = NSTemporaryDirectory() + "berth-router-test-\(UUID().uuidString.prefix(8))",
        _ body: @Sendable (InProcessPanel) async throws -> Void
    ) async throws {
        var logger = Logger(label: "test.panel")
        logger.logLevel = .warning
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let panel = try await Panel.open(
            PanelConfiguration(
                dataDirectory: dataDirectory,
                databaseURL: onSQLite ? nil : try await TestDatabase.freshURL(),
                failedAuthenticationLimit: failedAuthenticationLimit
            ),
            logger: logger
        )
        let apiKey = try await panel.createAPIKey(name: "tests")
        try await panel.application(frontEnd: try WebUI(panel: panel)).test(.router) { client in
            try await body(InProcessPanel(client: client, apiKey: apiKey, panel: panel))
        }
    }

    /// A browser of its own: cookies and CSRF token apart from every other one.
    func browser() -> WebClient {
        WebClient(client: client)
    }

    /// One request; `apiKey: .some(nil)` sends none, the default sends the suite's key.
    func call(
        _ method: HTTPRequest.Method,
        _ path: String,
        json: String? = nil,
        apiKey: String?? = .none
    ) async throws -> HTTPAnswer {
        var headers: HTTPFields = [:]
        let key: String? =
            switch apiKey {
            case .none: self.apiKey
            case .some(let value): value
            }
        if let key, let name = HTTPField.Name("x-api-key") { headers[name] = key }
        if json != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) {
            HTTPAnswer(status: Int($0.status.code), body: Data(buffer: $0.body))
        }
    }
}

/// The live ``TestPanel``'s way of asking, so a suite moves between the two by its first line.
extension InProcessPanel: PanelAPIClient {
    func request(
        _ method: NIOHTTP1Method,
        _ path: String,
        json: String? = nil,
        apiKey: String?? = .none
    ) async throws -> HTTPAnswer {
        guard let method = HTTPRequest.Method(method.rawValue) else { throw TestFailure("no method \(method)") }
        return try await call(method, path, json: json, apiKey: apiKey)
    }
}
