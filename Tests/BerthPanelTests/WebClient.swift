import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// A browser-like HTTP client for the web UI: keeps its cookies, follows no redirects (tests look at
/// them), and remembers the CSRF token of the last page it loaded.
final class WebClient: Sendable {
    let port: Int
    private let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
    private let cookies = Mutex<[String: String]>([:])
    private let csrf = Mutex<String?>(nil)

    struct Page: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let text: String
        var location: String? { headers.first(name: "location") }
        var setCookies: [String] { headers["set-cookie"] }
    }

    init(port: Int) {
        self.port = port
    }

    deinit {
        try? client.syncShutdown()
    }

    var sessionCookie: String? {
        get { cookies.withLock { $0["berth_session"] } }
        set { cookies.withLock { $0["berth_session"] = newValue } }
    }

    var csrfToken: String? { csrf.withLock { $0 } }

    @discardableResult
    func get(_ path: String) async throws -> Page {
        try await send(.GET, path, form: nil)
    }

    /// Posts a form; the last page's CSRF token goes with it unless `csrf` is false.
    @discardableResult
    func post(_ path: String, _ fields: [String: String] = [:], csrf includeToken: Bool = true) async throws -> Page {
        var fields = fields
        if includeToken, let token = csrfToken { fields["csrf"] = token }
        return try await send(.POST, path, form: fields)
    }

    /// Signs in with a password (and loads the sign-in page first, as a browser would).
    @discardableResult
    func signIn(_ username: String, _ password: String) async throws -> Page {
        try await get("/login")
        return try await post("/login", ["username": username, "password": password])
    }

    private func send(_ method: HTTPMethod, _ path: String, form: [String: String]?) async throws -> Page {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        let cookieHeader = cookies.withLock { $0.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if !cookieHeader.isEmpty { request.headers.add(name: "cookie", value: cookieHeader) }
        if let form {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let body = form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
            request.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 8 << 20))
        for header in response.headers["set-cookie"] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let expired = header.lowercased().contains("expires=thu, 01 jan 1970") || header.lowercased().contains("max-age=0")
            cookies.withLock { $0[String(pair[0])] = expired ? nil : String(pair[1]) }
        }
        if let range = text.range(of: #"name="csrf" value="([0-9a-f]+)""#, options: .regularExpression) {
            let token = text[range].split(separator: "\"")[3]
            csrf.withLock { $0 = String(token) }
        }
        return Page(status: Int(response.status.code), headers: response.headers, text: text)
    }
}
