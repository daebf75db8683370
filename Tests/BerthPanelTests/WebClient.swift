import AsyncHTTPClient
import BerthTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Synchronization

/// A browser-like HTTP client for the web UI: keeps its cookies, follows no redirects (tests look at
/// them), and remembers the CSRF token of the last page it loaded. It talks to a live panel on a port,
/// or in-process to HummingbirdTesting's router.
final class WebClient: Sendable {
    private enum Transport: Sendable {
        case live(port: Int, client: HTTPClient)
        case inProcess(any TestClientProtocol)
    }

    private let transport: Transport
    /// Sent as `X-Forwarded-For`, as a reverse proxy in front of the panel would.
    private let forwardedFor: String?
    private let cookies = Mutex<[String: String]>([:])
    private let csrf = Mutex<String?>(nil)

    struct Page: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let text: String
        var location: String? { headers.first(name: "location") }
        var setCookies: [String] { headers["set-cookie"] }
    }

    init(port: Int, forwardedFor: String? = nil) {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        transport = .live(port: port, client: client)
        self.forwardedFor = forwardedFor
    }

    init(client: any TestClientProtocol) {
        transport = .inProcess(client)
        forwardedFor = nil
    }

    deinit {
        if case .live(_, let client) = transport { try? client.syncShutdown() }
    }

    var sessionCookie: String? {
        get { cookies.withLock { $0["berth_session"] } }
        set { cookies.withLock { $0["berth_session"] = newValue } }
    }

    var csrfToken: String? { csrf.withLock { $0 } }

    /// Sets a cookie as another site (or a script with access to the cookie jar) could.
    func setCookie(_ name: String, _ value: String) {
        cookies.withLock { $0[name] = value }
    }

    @discardableResult
    func get(_ path: String) async throws -> Page {
        try await send(.GET, path, form: nil)
    }

    /// Posts a form; the last page's CSRF token goes with it unless `csrf` is false.
    @discardableResult
    func post(_ path: String, _ fields: [String: String] = [:], csrf includeToken: Bool = true) async throws -> Page {
        try await post(path, pairs: fields.map { ($0.key, $0.value) }, csrf: includeToken)
    }

    /// Posts a form whose fields may repeat, as ticked checkboxes of one name do.
    @discardableResult
    func post(_ path: String, pairs: [(String, String)], csrf includeToken: Bool = true) async throws -> Page {
        var pairs = pairs
        if includeToken, let token = csrfToken { pairs.append(("csrf", token)) }
        return try await send(.POST, path, form: pairs)
    }

    /// PUTs raw bytes as a file manager's upload does: the body is the file, the CSRF token in a header.
    @discardableResult
    func upload(_ path: String, _ bytes: Data, csrf includeToken: Bool = true) async throws -> Page {
        var headers: [(String, String)] = [("content-type", "application/octet-stream")]
        if includeToken, let token = csrfToken { headers.append(("x-csrf-token", token)) }
        return try await send(.PUT, path, form: nil, raw: (ByteBuffer(bytes: bytes), headers))
    }

    /// Signs in with a password (and loads the sign-in page first, as a browser would).
    @discardableResult
    func signIn(_ username: String, _ password: String) async throws -> Page {
        try await get("/login")
        return try await post("/login", ["username": username, "password": password])
    }

    private func send(
        _ method: HTTPMethod,
        _ path: String,
        form: [(String, String)]?,
        raw: (body: ByteBuffer, headers: [(String, String)])? = nil
    ) async throws -> Page {
        var headers = HTTPHeaders()
        for (name, value) in raw?.headers ?? [] { headers.add(name: name, value: value) }
        let cookieHeader = cookies.withLock { $0.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if !cookieHeader.isEmpty { headers.add(name: "cookie", value: cookieHeader) }
        if let forwardedFor { headers.add(name: "x-forwarded-for", value: forwardedFor) }
        var body = raw?.body
        if let form {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let encoded = form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
            body = ByteBuffer(string: encoded.joined(separator: "&"))
        }
        let page = try await exchange(method, path, headers: headers, body: body)
        for header in page.headers["set-cookie"] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let expired = header.lowercased().contains("expires=thu, 01 jan 1970") || header.lowercased().contains("max-age=0")
            cookies.withLock { $0[String(pair[0])] = expired ? nil : String(pair[1]) }
        }
        if let range = page.text.range(of: #"name="csrf" value="([0-9a-f]+)""#, options: .regularExpression) {
            let token = page.text[range].split(separator: "\"")[3]
            csrf.withLock { $0 = String(token) }
        }
        return page
    }

    private func exchange(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders, body: ByteBuffer?) async throws -> Page {
        switch transport {
        case .live(let port, let client):
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            request.method = method
            request.headers = headers
            if let body { request.body = .bytes(body) }
            let response = try await client.execute(request, timeout: .seconds(30))
            let text = String(buffer: try await response.body.collect(upTo: 8 << 20))
            return Page(status: Int(response.status.code), headers: response.headers, text: text)
        case .inProcess(let client):
            guard let method = HTTPRequest.Method(method.rawValue) else { throw TestFailure("no method \(method)") }
            var fields = HTTPFields()
            for (name, value) in headers {
                if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
            }
            return try await client.execute(uri: path, method: method, headers: fields, body: body) { response in
                var received = HTTPHeaders()
                for field in response.headers { received.add(name: field.name.rawName, value: field.value) }
                return Page(status: Int(response.status.code), headers: received, text: String(buffer: response.body))
            }
        }
    }
}
