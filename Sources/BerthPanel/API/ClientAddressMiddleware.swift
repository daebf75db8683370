import BerthHTTP
import Hummingbird

/// Behind a reverse proxy every request comes from the proxy: this names the real client from
/// `X-Forwarded-For`, but only for requests whose peer is one of the operator's trusted proxies
/// (`--trusted-proxy`), so a client cannot pick the address its failures are counted against.
struct ClientAddressMiddleware<Context: PanelRequestContext>: RouterMiddleware {
    let trustedProxies: TrustedProxies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.clientAddress = trustedProxies.client(
            peer: context.peerAddress,
            forwardedFor: request.headers[values: .xForwardedFor]
        )
        return try await next(request, context)
    }
}
