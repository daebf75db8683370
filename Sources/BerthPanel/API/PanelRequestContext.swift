import Hummingbird
import HummingbirdAuth
import HummingbirdWebSocket
import NIOCore

/// What a panel request carries beyond the request itself: who sent it (an API key, or a signed-in
/// user with their web session), and the form it sent.
struct PanelRequestContext: RequestContext, RemoteAddressRequestContext, SessionRequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    let webSocket: WebSocketHandlerReference<Self>
    let sessions: SessionContext<WebSession>
    /// The API key that authenticated the request, for the audit trail.
    var apiKeyName: String?
    /// The signed-in user of a web request.
    var user: User?
    /// A web request's form fields, read (and its CSRF token checked) before the route runs.
    var form = FormFields()
    /// The path of a web request, for the navigation to mark where the user is.
    var currentPath = ""

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        webSocket = .init()
        sessions = .init()
    }

    /// The client's address without the port: what rate limits count by.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
