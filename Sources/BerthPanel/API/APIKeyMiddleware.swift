import BerthHTTP
import HTTPTypes
import Hummingbird

/// Lets a request into `/api` only with a valid, unrevoked `x-api-key`. Never creates a session.
struct APIKeyMiddleware<Context: PanelRequestContext>: RouterMiddleware {

    let keys: APIKeyStore
    let limiter: FailedAuthenticationLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let client = context.clientAddress
        guard !limiter.isBlocked(client) else {
            throw APIError(.tooManyRequests, "too many failed attempts from this address; wait a minute")
        }
        guard let presented = request.headers[HTTPField.Name.apiKey], !presented.isEmpty else {
            limiter.recordFailure(client)
            throw APIError(.unauthorized, "missing API key: send it in the x-api-key header")
        }
        guard let key = try await keys.authenticate(presented) else {
            limiter.recordFailure(client)
            throw APIError(.unauthorized, "invalid API key")
        }
        var context = context
        context.apiKeyName = key
        return try await next(request, context)
    }
}
