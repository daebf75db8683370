import AsyncHTTPClient
import BerthHTTP
import BerthProtocol
import Foundation
import Logging
import NIOCore

/// The daemon's way to the panel: posts to `/api/remote/...`, each signed with the node's key
/// (``CallbackSignature``), so the panel knows them for this node's without a secret on the wire.
struct PanelConnection: Sendable {
    /// Without a trailing slash.
    let panelURL: String
    let signingKey: String
    let httpClient: HTTPClient
    let logger: Logger

    init(panelURL: String, signingKey: String, httpClient: HTTPClient, logger: Logger) {
        self.panelURL = panelURL.hasSuffix("/") ? String(panelURL.dropLast()) : panelURL
        self.signingKey = signingKey
        self.httpClient = httpClient
        self.logger = logger
    }

    /// What became of a post.
    enum Delivery: Equatable {
        case delivered
        /// The panel answered that this body will never be taken (a 4xx other than 401, 408 and 429):
        /// sending it again would change nothing.
        case refusedForGood(status: Int)
        /// Not now: the panel is away, busy, or does not know this node's token yet. Try again.
        case failed
    }

    /// Posts `body`; failures are logged with `what` was waiting.
    func post(_ body: some Encodable, to route: RoutePath, what: String) async -> Delivery {
        let url = panelURL + route.pattern
        do {
            let (status, _) = try await ask(body, at: route)
            if (200..<300).contains(status) { return .delivered }
            if (400..<500).contains(status) && ![401, 408, 429].contains(status) {
                logger.error("the panel refused \(what) for good with status \(status)")
                return .refusedForGood(status: status)
            }
            logger.warning("the panel refused \(what) with status \(status); they wait")
            return .failed
        } catch {
            logger.warning("the panel cannot be reached at \(url) (\(error)); \(what) wait")
            return .failed
        }
    }

    /// Posts `body` and returns the panel's status and answer; throws when the panel cannot be reached.
    func ask(_ body: some Encodable, at route: RoutePath) async throws -> (status: Int, body: ByteBuffer) {
        var request = HTTPClientRequest(url: panelURL + route.pattern)
        request.method = .POST
        let bytes = try JSONEncoder().encode(body)
        let signature = CallbackSignature.sign(method: "POST", path: route.pattern, body: bytes, key: signingKey)
        for (name, value) in signature.headerFields {
            request.headers.add(name: name.rawName, value: value)
        }
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: bytes))
        let response = try await httpClient.execute(request, timeout: .seconds(10))
        return (Int(response.status.code), try await response.body.collect(upTo: 1024 * 1024))
    }
}

extension PanelConnection: CustomStringConvertible {
    /// Without the signing key, whatever prints it.
    var description: String { "PanelConnection(\(panelURL))" }
}
