import Hummingbird

/// A path that exists, asked with a method it does not have, is a 405 that lists the methods it has
/// (`Allow`), not a 404 that says the path does not exist. Add it to a router after all its routes: the
/// router gives middleware added last only to what no route answered.
public struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Each route's path components (`{id}`, `*`, `**` match any) and method.
    let routes: [(components: [Substring], method: HTTPRequest.Method)]

    public init(routes: [Router<Context>.RouteDescription]) {
        self.routes = routes.map { (Self.components(of: $0.path.description), $0.method) }
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let path = Self.components(of: request.uri.path)
            let allowed = Set(routes.filter { Self.matches($0.components, path) }.map(\.method.rawValue)).sorted()
            guard !allowed.isEmpty else { throw error }
            var refusal = APIError(
                .methodNotAllowed,
                "\(request.method) is not allowed on \(request.uri.path); use \(allowed.joined(separator: " or "))"
            )
            refusal.headers[.allow] = allowed.joined(separator: ", ")
            throw refusal
        }
    }

    static func components(of path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    static func matches(_ route: [Substring], _ path: [Substring]) -> Bool {
        for (index, component) in route.enumerated() {
            if component == "**" { return true }
            guard index < path.count else { return false }
            if component == "*" || (component.hasPrefix("{") && component.hasSuffix("}")) { continue }
            if component != path[index] { return false }
        }
        return route.count == path.count
    }
}
