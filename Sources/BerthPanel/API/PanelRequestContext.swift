import Hummingbird
import NIOCore

/// What a panel request carries beyond the request itself: who sent it, and with which key.
struct PanelRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    /// The API key that authenticated the request, for the audit trail.
    var apiKeyName: String?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's address without the port: what rate limits count by.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
