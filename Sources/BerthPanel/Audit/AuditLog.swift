import FluentKit
import Foundation
import Logging

/// Writes and reads the audit log: every change made through the web UI or the API, with who made it.
package struct AuditLog: Sendable {
    let database: PanelDatabase

    /// Records an action by whoever the request speaks for: the signed-in user, or the API key.
    /// A failure to record is logged, never shown to the user: the action itself already happened.
    package func record(_ action: String, target: String, context: some PanelRequestContext) async {
        await record(action, target: target, actor: context.auditActor, clientAddress: context.clientAddress, logger: context.logger)
    }

    package func record(_ action: String, target: String, actor: AuditActor, clientAddress: String, logger: Logger) async {
        let event = AuditEvent(actor: actor, action: action, target: target, clientAddress: clientAddress)
        do {
            try await event.create(on: database.db())
        } catch {
            logger.error("could not record \(action) on \(target) in the audit log: \(error)")
        }
    }

    package func latest(_ count: Int) async throws -> [AuditEvent] {
        try await AuditEvent.query(on: database.db()).sort(\.$at, .descending).limit(count).all()
    }
}
