import Foundation
import Hummingbird

/// Records every successful state change made through `/api` under the API key that made it.
struct APIAuditMiddleware<Context: PanelRequestContext>: RouterMiddleware {
    let audit: AuditLog

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        if request.method != .get, request.method != .head, response.status.code < 400, !Self.readOnlyPaths.contains(request.uri.path) {
            let path = request.uri.path
            await audit.record("api \(request.method.rawValue) \(path)", target: path, instance: Self.instance(in: path), context: context)
        }
        return response
    }

    /// The instance a path names, as `/api/v1/instances/{id}/...` and the seed's `/api/instances/suspend/{id}`
    /// do: the first id after an `instances` segment.
    static func instance(in path: String) -> UUID? {
        let segments = path.split(separator: "/")
        guard let start = segments.firstIndex(of: "instances") else { return nil }
        return segments[start...].lazy.compactMap { UUID(uuidString: String($0)) }.first
    }

    /// Skyport's API reads with POST on these; they change nothing, so they are not audited.
    static var readOnlyPaths: Set<String> { ["/api/getInstance", "/api/getUserInstance", "/api/getUser"] }
}
