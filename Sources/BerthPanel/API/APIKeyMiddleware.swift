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
    let throttle: FailureThrottle

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let client = context.clientAddress
        guard let presented = request.headers[HTTPField.Name.apiKey], !presented.isEmpty else {
            try await refuse(client, "missing API key: send it in the x-api-key header")
        }
        guard let key = try await keys.authenticate(presented) else {
            try await refuse(client, "invalid API key")
        }
        var context = context
        context.apiKey = key
        return try await next(request, context)
    }

    /// A 401 that counts against the address, or a 429 while the address waits for its failures. A
    /// waiting address's further failures are not counted: they cost no database write.
    private func refuse(_ client: String, _ message: String) async throws -> Never {
        let key = "api-key from \(client)"
        if let wait = try await throttle.wait(for: key) {
            throw APIError(
                .tooManyRequests,
                "too many failed attempts from this address; wait \(wait.wholeSecondsRoundedUp) s",
                retryAfter: wait
            )
        }
        try await throttle.recordFailure(of: key)
        throw APIError(.unauthorized, message)
    }
}
