import BerthHTTP
import Hummingbird

/// Lets a request through only when it carries `Authorization: Bearer <node token>`.
struct NodeTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Only the digest is kept; comparing digests of equal length in constant time reveals nothing about the token.
    let tokenDigest: String

    init(token: String) {
        tokenDigest = Secrets.digest(token)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = request.bearerToken, Secrets.constantTimeEquals(Secrets.digest(token), tokenDigest) else {
            throw APIError.invalidNodeToken
        }
        return try await next(request, context)
    }
}
