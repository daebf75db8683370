import BerthProtocol
import Hummingbird
import NIOCore

/// `GET /metrics` in Prometheus' text format, for clients on this machine (a Prometheus or an agent beside
/// the process) and for others that show the metrics token as `Authorization: Bearer <token>`. Counts of
/// instances and nodes say what a tenant may not know of others; the rule keeps them in the operator's hands.
public struct MetricsEndpoint<Context: RequestContext>: Sendable {
    let metrics: MetricsRegistry
    /// The metrics token, if the operator set one; without it only this machine is served.
    let token: String?
    /// The client's address, as the process knows it (behind a trusted proxy, the proxy's client).
    let clientAddress: @Sendable (Context) -> String
    /// Sets the gauges read from the process's state, just before they are sent.
    let refresh: @Sendable () async -> Void

    public init(
        metrics: MetricsRegistry,
        token: String?,
        clientAddress: @escaping @Sendable (Context) -> String,
        refresh: @escaping @Sendable () async -> Void
    ) {
        self.metrics = metrics
        self.token = token
        self.clientAddress = clientAddress
        self.refresh = refresh
    }

    public func addRoutes(to router: Router<Context>) {
        router.get("metrics") { request, context in
            guard allows(clientAddress(context), authorization: request.headers[.authorization]) else {
                throw APIError(.forbidden, "metrics are served to this machine, and to others with the metrics token (Authorization: Bearer)")
            }
            await refresh()
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition()))
            )
        }
    }

    func allows(_ address: String, authorization: String?) -> Bool {
        if AddressScope.of(address) == .loopback { return true }
        guard let token, let authorization, authorization.hasPrefix("Bearer ") else { return false }
        return Secrets.constantTimeEquals(String(authorization.dropFirst("Bearer ".count)), token)
    }
}
