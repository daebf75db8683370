import Crypto
import Foundation
import Hummingbird

/// Lets a request through only when it carries `Authorization: Bearer <node token>`.
struct NodeTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let tokenDigest: SHA256.Digest

    init(token: String) {
        // Comparing digests keeps the comparison's time independent of where the first wrong byte is.
        tokenDigest = SHA256.hash(data: Data(token.utf8))
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              constantTimeEquals(SHA256.hash(data: Data(header.dropFirst("Bearer ".count).utf8)), tokenDigest)
        else {
            throw APIError.unauthorized
        }
        return try await next(request, context)
    }
}

/// Compares two digests in time that does not depend on their contents.
func constantTimeEquals(_ left: SHA256.Digest, _ right: SHA256.Digest) -> Bool {
    var difference: UInt8 = 0
    for (a, b) in zip(left, right) {
        difference |= a ^ b
    }
    return difference == 0
}
