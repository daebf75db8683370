import Hummingbird
import HummingbirdWebSocket
import ServiceLifecycle

/// A client of the panel's core served on the panel's own port beside `/api`, such as the web UI. Its
/// request context extends the panel's (a web session, say) and carries WebSocket upgrades; it adds its
/// routes (and the middleware that must wrap them) before `/api`'s, and runs its background work as
/// services of the panel's application.
public protocol PanelFrontEnd: Sendable {
    associatedtype Context: PanelRequestContext & WebSocketRequestContext

    func addRoutes(to router: Router<Context>)
    var services: [any Service] { get }
}
