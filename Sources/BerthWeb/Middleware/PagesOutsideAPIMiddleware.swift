import BerthHTTP
import BerthPanel
import Hummingbird

/// Outside `/api`, whatever fails (an unknown address, most often) is answered with a page, not the API's JSON.
struct PagesOutsideAPIMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext
    let errors: WebErrorMiddleware

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !request.uri.path.hasPrefix("/api/") else { return try await next(request, context) }
        return try await errors.handle(request, context: context, next: next)
    }
}
