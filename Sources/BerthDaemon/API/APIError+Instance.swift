import Hummingbird

extension APIError {
    /// The one place where the supervisor's refusals become HTTP answers.
    init(_ error: InstanceError) {
        switch error {
        case .notFound(let id): self.init(.notFound, "no instance \(id) on this node")
        case .alreadyExists(let id): self.init(.conflict, "instance \(id) already exists on this node")
        case .conflict(let message): self.init(.conflict, message)
        case .invalid(let message): self.init(.badRequest, message)
        case .engine(let message): self.init(.serviceUnavailable, message)
        }
    }
}

/// Turns every error that reaches the top into `{"error": ...}` with the right status, including
/// the router's own 404 for unknown paths.
struct ErrorBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as InstanceError {
            throw APIError(error)
        } catch let error as HTTPResponseError {
            throw APIError(error.status, error.status == .notFound ? "no such route: \(request.method) \(request.uri.path)" : error.status.reasonPhrase)
        } catch {
            context.logger.error("request failed: \(error)")
            throw APIError(.internalServerError, "internal error")
        }
    }
}
