import FluentKit
import Foundation
import Hummingbird
import Logging

/// Writes and reads the audit log: every change made through the web UI or the API, with who made it.
struct AuditLog: Sendable {
    let database: PanelDatabase

    /// Records an action by whoever the request speaks for: the signed-in user, or the API key.
    /// A failure to record is logged, never shown to the user: the action itself already happened.
    func record(_ action: String, target: String, context: PanelRequestContext) async {
        let actor: (AuditEvent.ActorKind, String) =
            if let user = context.user { (.user, user.username) } else { (.apiKey, context.apiKeyName ?? "unknown") }
        await record(action, target: target, actor: actor, clientAddress: context.clientAddress, logger: context.logger)
    }

    func record(_ action: String, target: String, actor: (AuditEvent.ActorKind, String), clientAddress: String, logger: Logger) async {
        let event = AuditEvent(actorKind: actor.0, actor: actor.1, action: action, target: target, clientAddress: clientAddress)
        do {
            try await event.create(on: database.database)
        } catch {
            logger.error("could not record \(action) on \(target) in the audit log: \(error)")
        }
    }

    func latest(_ count: Int) async throws -> [AuditEvent] {
        try await AuditEvent.query(on: database.database).sort(\.$at, .descending).limit(count).all()
    }
}

/// Records every successful state change made through `/api` under the API key that made it.
struct APIAuditMiddleware: RouterMiddleware {
    typealias Context = PanelRequestContext
    let audit: AuditLog

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        if request.method != .get, request.method != .head, response.status.code < 400, !Self.readOnlyPaths.contains(request.uri.path) {
            await audit.record("api \(request.method.rawValue) \(request.uri.path)", target: request.uri.path, context: context)
        }
        return response
    }

    /// Skyport's API reads with POST on these; they change nothing, so they are not audited.
    static let readOnlyPaths: Set<String> = ["/api/getInstance", "/api/getUserInstance", "/api/getUser"]
}
