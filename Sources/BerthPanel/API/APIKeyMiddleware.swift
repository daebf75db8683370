import BerthHTTP
import HTTPTypes
import Hummingbird

/// Lets a request into `/api` only with a valid, unrevoked `x-api-key`. Never creates a session.
///
/// Failures from one address are throttled, but a valid key keeps working from it: keys carry 256 random
/// bits, so locking valid keys out protects nothing, and would let anyone behind the same NAT (or a
/// fuzzer's negative cases) stop a billing tool.
struct APIKeyMiddleware<Context: PanelRequestContext>: RouterMiddleware {
    let keys: APIKeyStore
    let limiter: FailedAuthenticationLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let client = context.clientAddress
        guard let presented = request.headers[HTTPField.Name.apiKey], !presented.isEmpty else {
            try refuse(client, "missing API key: send it in the x-api-key header")
        }
        guard let key = try await keys.authenticate(presented) else {
            try refuse(client, "invalid API key")
        }
        var context = context
        context.apiKeyName = key
        return try await next(request, context)
    }

    /// A 401 that counts against the address, or a 429 once the address has failed too often.
    private func refuse(_ client: String, _ message: String) throws -> Never {
        guard !limiter.isBlocked(client) else {
            throw APIError(.tooManyRequests, "too many failed attempts from this address; wait a minute")
        }
        limiter.recordFailure(client)
        throw APIError(.unauthorized, message)
    }
}
