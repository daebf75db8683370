import AsyncHTTPClient
import BerthProtocol
import Foundation
import Logging
import NIOCore

/// The daemon's way to the panel: posts to `/api/remote/...` with the node's token.
struct PanelConnection: Sendable {
    /// Without a trailing slash.
    let panelURL: String
    let nodeToken: String
    let httpClient: HTTPClient
    let logger: Logger

    init(panelURL: String, nodeToken: String, httpClient: HTTPClient, logger: Logger) {
        self.panelURL = panelURL.hasSuffix("/") ? String(panelURL.dropLast()) : panelURL
        self.nodeToken = nodeToken
        self.httpClient = httpClient
        self.logger = logger
    }

    /// Whether the panel took it; failures are logged with `what` was waiting.
    func post(_ body: some Encodable, to route: RoutePath, what: String) async -> Bool {
        let url = panelURL + route.pattern
        do {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(nodeToken)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
            let response = try await httpClient.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1024 * 1024)
            guard (200..<300).contains(Int(response.status.code)) else {
                logger.warning("the panel refused \(what) with status \(response.status.code)")
                return false
            }
            return true
        } catch {
            logger.warning("the panel cannot be reached at \(url) (\(error)); \(what) wait")
            return false
        }
    }
}
