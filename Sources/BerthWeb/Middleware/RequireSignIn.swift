import BerthHTTP
import BerthPanel
import Hummingbird

/// Sends visitors who are not signed in to the sign-in page, remembering where they were going.
struct RequireSignIn: RouterMiddleware {
    typealias Context = WebRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.user != nil else {
            guard request.method == .get else { throw APIError(.unauthorized, "Your session has ended. Sign in again.") }
            let target =
                request.uri.path == "/" ? "" : "?next=\(request.uri.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "")"
            return WebResponse.redirect("/login\(target)")
        }
        return try await next(request, context)
    }
}
