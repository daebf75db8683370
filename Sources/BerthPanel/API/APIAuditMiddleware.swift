import Hummingbird

/// Records every successful state change made through `/api` under the API key that made it.
struct APIAuditMiddleware<Context: PanelRequestContext>: RouterMiddleware {
    let audit: AuditLog

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        if request.method != .get, request.method != .head, response.status.code < 400, !Self.readOnlyPaths.contains(request.uri.path) {
            await audit.record("api \(request.method.rawValue) \(request.uri.path)", target: request.uri.path, context: context)
        }
        return response
    }

    /// Skyport's API reads with POST on these; they change nothing, so they are not audited.
    static var readOnlyPaths: Set<String> { ["/api/getInstance", "/api/getUserInstance", "/api/getUser"] }
}
