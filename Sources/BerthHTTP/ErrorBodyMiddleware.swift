import Hummingbird

/// Turns every error that reaches the top into `{"error": ...}` with the right status, including
/// the router's own 404 for unknown paths. Unexpected errors are logged and answered as a bare 500,
/// so no internal detail (or secret) leaks into a response.
public struct ErrorBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as any APIErrorConvertible {
            let answer = error.apiError
            if answer.status == .internalServerError { context.logger.error("request failed: \(error)") }
            throw answer
        } catch let error as any HTTPResponseError {
            throw APIError(
                error.status,
                error.status == .notFound ? "no such route: \(request.method) \(request.uri.path)" : error.status.reasonPhrase
            )
        } catch {
            context.logger.error("request failed: \(error)")
            throw APIError(.internalServerError, "internal error")
        }
    }
}
