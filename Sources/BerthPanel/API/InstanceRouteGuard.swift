import BerthHTTP
import Hummingbird

/// What every `/api/v1/instances/{id}/…` route that reaches the instance's node does first: checks the
/// key's scope, finds the instance and the caller's role on it, and answers with Berth's statuses: 404
/// and 409 as they are, 502 when the node failed, 503 when it cannot be reached.
struct InstanceRouteGuard<Context: PanelRequestContext>: Sendable {
    let instances: InstanceStore
    let subusers: SubuserStore

    func answering(
        _ context: Context,
        needs access: APIKeyScopes.Access,
        _ body: (String, InstanceRole) async throws -> Response
    ) async throws -> Response {
        try context.grant.require(access, on: .instances)
        return try await withBerthStatuses {
            let id = try context.parameters.require("id")
            let role = try await context.grant.reach(id, in: instances, subusers: subusers).role
            do {
                return try await body(id, role)
            } catch PanelError.nodeUnavailable(let message) {
                throw APIError(.serviceUnavailable, message)
            } catch PanelError.nodeFailed(let message) {
                throw APIError(.badGateway, message)
            }
        }
    }
}
