import AsyncHTTPClient
import BerthHTTP
import BerthProtocol
import Foundation
import Logging
import NIOCore
import Synchronization

/// The daemon's way to the panel: posts to `/api/remote/...`, each signed with the node's key
/// (``CallbackSignature``), so the panel knows them for this node's without a secret on the wire.
///
/// With several panel URLs (replicas on one database), a post goes to the one that answered last; one
/// that cannot be reached, or answers 502-504 (a replica going down behind a proxy), hands the post to
/// the next, each tried once per post.
final class PanelConnection: Sendable {
    /// Without trailing slashes; never empty.
    let panelURLs: [String]
    let signingKey: String
    let httpClient: HTTPClient
    let logger: Logger
    /// The index in ``panelURLs`` of the panel that answered last, where the next post goes first.
    private let answering = Atomic<Int>(0)

    init(panelURLs: [String], signingKey: String, httpClient: HTTPClient, logger: Logger) {
        precondition(!panelURLs.isEmpty, "a connection to no panel")
        self.panelURLs = panelURLs.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.signingKey = signingKey
        self.httpClient = httpClient
        self.logger = logger
    }

    convenience init(panelURL: String, signingKey: String, httpClient: HTTPClient, logger: Logger) {
        self.init(panelURLs: [panelURL], signingKey: signingKey, httpClient: httpClient, logger: logger)
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
    func post(_ body: some Encodable, to route: RoutePath, what: String, deadline: TimeAmount = .seconds(10)) async -> Delivery {
        do {
            let (status, _) = try await ask(body, at: route, deadline: deadline)
            if (200..<300).contains(status) { return .delivered }
            if (400..<500).contains(status) && ![401, 408, 429].contains(status) {
                logger.error("the panel refused \(what) for good with status \(status)")
                return .refusedForGood(status: status)
            }
            logger.warning("the panel refused \(what) with status \(status); they wait")
            return .failed
        } catch {
            logger.warning("no panel can be reached (\(error)); \(what) wait")
            return .failed
        }
    }

    /// Posts `body` and returns the panel's status and answer: from the panel that answered last, or else
    /// from the first of the others that answers. Throws when none can be reached.
    func ask(_ body: some Encodable, at route: RoutePath, deadline: TimeAmount = .seconds(10)) async throws -> (status: Int, body: ByteBuffer) {
        let bytes = try JSONEncoder().encode(body)
        let first = answering.load(ordering: .relaxed)
        var lastError: (any Error)?
        for offset in panelURLs.indices {
            let index = (first + offset) % panelURLs.count
            do {
                let answer = try await ask(bytes, at: route, of: panelURLs[index], deadline: deadline)
                // A proxy in front of a replica that went away answers for it; the next URL may do better.
                if [502, 503, 504].contains(answer.status), offset < panelURLs.count - 1 { continue }
                answering.store(index, ordering: .relaxed)
                return answer
            } catch {
                if panelURLs.count > 1 { logger.warning("the panel at \(panelURLs[index]) cannot be reached (\(error))") }
                lastError = error
            }
        }
        throw lastError ?? PanelConnectionError.noPanel
    }

    private func ask(_ bytes: Data, at route: RoutePath, of panelURL: String, deadline: TimeAmount) async throws -> (status: Int, body: ByteBuffer) {
        var request = HTTPClientRequest(url: panelURL + route.pattern)
        request.method = .POST
        // Signed anew for each panel tried: a panel refuses a nonce it has seen, and replicas share one table of them.
        let signature = CallbackSignature.sign(method: "POST", path: route.pattern, body: bytes, key: signingKey)
        for (name, value) in signature.headerFields {
            request.headers.add(name: name.rawName, value: value)
        }
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: bytes))
        let response = try await httpClient.execute(request, timeout: deadline)
        return (Int(response.status.code), try await response.body.collect(upTo: 1024 * 1024))
    }
}

extension PanelConnection: CustomStringConvertible {
    /// Without the signing key, whatever prints it.
    var description: String { "PanelConnection(\(panelURLs.joined(separator: ", ")))" }
}

enum PanelConnectionError: Error {
    /// Only for a connection made with no URL, which ``PanelConnection/init(panelURLs:signingKey:httpClient:logger:)`` refuses.
    case noPanel
}
