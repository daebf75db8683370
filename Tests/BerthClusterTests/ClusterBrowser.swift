import AsyncHTTPClient
import BerthTestSupport
import Foundation
import NIOCore
import NIOHTTP1

/// A browser's part in the cluster test: it signs in on one replica and keeps the session's cookies, which
/// it can present to another, as a browser behind a proxy that sends it to either would.
final class ClusterBrowser: @unchecked Sendable {
    private var cookies: [String: String] = [:]
    private var csrf: String?
    /// One that follows no redirect: the test looks at each answer, as a browser's developer tools show it.
    private let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    func close() async throws {
        try await client.shutdown()
    }

    /// Loads the sign-in page of `panel` and signs in; the answer's status.
    func signIn(at panel: ClusterPanel, _ username: String, _ password: String) async throws -> Int {
        _ = try await get(panel, "/login")
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let form = [("username", username), ("password", password), ("csrf", csrf ?? "")]
            .map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        return try await send(.POST, panel, "/login", body: form).status
    }

    /// The value of the cookie `name`, once a panel has set it.
    func cookie(_ name: String) -> String? { cookies[name] }

    /// A page of `panel`, with the session's cookies.
    func get(_ panel: ClusterPanel, _ path: String) async throws -> HTTPAnswer {
        try await send(.GET, panel, path, body: nil)
    }

    private func send(_ method: HTTPMethod, _ panel: ClusterPanel, _ path: String, body: String?) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: panel.url + path)
        request.method = method
        let cookieHeader = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        if !cookieHeader.isEmpty { request.headers.add(name: "cookie", value: cookieHeader) }
        if let body {
            request.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(60))
        let text = String(buffer: try await response.body.collect(upTo: 16 << 20))
        for header in response.headers["set-cookie"] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            if pair.count == 2 { cookies[String(pair[0])] = String(pair[1]) }
        }
        if let range = text.range(of: #"name="csrf" value="([0-9a-f]+)""#, options: .regularExpression) {
            csrf = String(text[range].split(separator: "\"")[3])
        }
        return HTTPAnswer(status: Int(response.status.code), body: Data(text.utf8))
    }
}
