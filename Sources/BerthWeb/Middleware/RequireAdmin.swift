import BerthHTTP
import BerthPanel
import Hummingbird

/// Lets only administrators through.
struct RequireAdmin: RouterMiddleware {
    typealias Context = WebRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.user?.admin == true else { throw APIError(.forbidden, "Only administrators can open this page.") }
        return try await next(request, context)
    }
}
