import BerthHTTP
import Hummingbird

/// What the panel's own routes (`/api`, the node callbacks) need of a request's context, whichever front
/// end's router serves them: the web UI's context carries a session and a form beside this.
public protocol PanelRequestContext: RequestContext, RemoteAddressRequestContext {
    /// The API key that authenticated the request: what it may do, and its name for the audit trail.
    var apiKey: APIKeyGrant? { get set }
    /// Who the audit log names as having made this request's changes.
    var auditActor: AuditActor { get }
    /// The client's address without the port: what rate limits count by and the audit log records. The
    /// socket's peer (``PanelRequestContext/peerAddress``), unless a trusted proxy said otherwise
    /// (``ClientAddressMiddleware``).
    var clientAddress: String { get set }
}

extension PanelRequestContext {
    /// The socket's peer without the port.
    public var peerAddress: String { remoteAddress?.ipAddress ?? "unknown" }

    /// The request's key, which ``APIKeyMiddleware`` made sure every `/api` route has.
    var grant: APIKeyGrant {
        get throws {
            guard let apiKey else { throw APIError(.unauthorized, "missing API key: send it in the x-api-key header") }
            return apiKey
        }
    }
}
