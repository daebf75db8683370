import BerthHTTP
import BerthPanel
import Hummingbird
import HummingbirdAuth
import HummingbirdWebSocket
import NIOCore

/// What a request to the panel's port carries beyond the request itself: who sent it (an API key, or a
/// signed-in user with their web session), and the form it sent. The panel's own routes see it as a
/// ``PanelRequestContext``.
public struct WebRequestContext: PanelRequestContext, SessionRequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public let webSocket: WebSocketHandlerReference<Self>
    public let sessions: SessionContext<WebSession>
    /// The API key that authenticated the request, for the audit trail.
    public var apiKey: APIKeyGrant?
    public var clientAddress: String
    /// The signed-in user of a web request.
    var user: User?
    /// The form token of a visitor without a session (see ``VisitorForms``).
    var visitorFormToken: String?
    /// A web request's form fields, read (and its CSRF token checked) before the route runs.
    var form = FormFields()
    /// The path of a web request, for the navigation to mark where the user is.
    var currentPath = ""

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        clientAddress = remoteAddress?.ipAddress ?? "unknown"
        webSocket = .init()
        sessions = .init()
    }

    public var auditActor: AuditActor {
        if let user { .user(user.username) } else { .apiKey(apiKey?.name ?? "unknown") }
    }
}

extension WebRequestContext {
    /// A message for the next page shown.
    func flash(_ message: String, isError: Bool = false) {
        sessions.withLockedSession { $0?.flash = WebSession.Flash(isError: isError, message: message) }
    }

    /// A refusal's message as a sentence for the next page.
    func flash(_ error: PanelError) {
        var message = error.message.prefix(1).uppercased() + error.message.dropFirst()
        if !message.hasSuffix(".") { message += "." }
        flash(message, isError: true)
    }

    /// The signed-in user; routes behind ``RequireSignIn`` always have one.
    func signedInUser() throws -> User {
        guard let user else { throw APIError(.unauthorized, "Sign in first.") }
        return user
    }
}
