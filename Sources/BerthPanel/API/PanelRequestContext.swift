import Hummingbird

/// What the panel's own routes (`/api`, the node callbacks) need of a request's context, whichever front
/// end's router serves them: the web UI's context carries a session and a form beside this.
public protocol PanelRequestContext: RequestContext, RemoteAddressRequestContext {
    /// The API key that authenticated the request, for the audit trail.
    var apiKeyName: String? { get set }
    /// Who the audit log names as having made this request's changes.
    var auditActor: AuditActor { get }
}

extension PanelRequestContext {
    /// The client's address without the port: what rate limits count by.
    public var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
