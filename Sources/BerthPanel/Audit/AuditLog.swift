import FluentKit
import Foundation
import Logging

/// Writes and reads the audit log: every change made through the web UI or the API, with who made it.
package struct AuditLog: Sendable {
    let database: PanelDatabase

    /// Records an action by whoever the request speaks for: the signed-in user, or the API key.
    /// A failure to record is logged, never shown to the user: the action itself already happened.
    /// `instance` is the instance the action concerns, if one does: it shows in that instance's activity.
    package func record(_ action: String, target: String, instance: UUID? = nil, context: some PanelRequestContext) async {
        await record(
            action,
            target: target,
            instance: instance,
            actor: context.auditActor,
            clientAddress: context.clientAddress,
            logger: context.logger
        )
    }

    package func record(_ action: String, target: String, instance: UUID? = nil, actor: AuditActor, clientAddress: String, logger: Logger) async {
        let event = AuditEvent(actor: actor, action: action, target: target, clientAddress: clientAddress, instanceID: instance)
        do {
            try await event.create(on: database.db())
        } catch {
            logger.error("could not record \(action) on \(target) in the audit log: \(error)")
        }
    }

    /// Records several actions by whoever the request speaks for, in one statement: a burst of console
    /// commands costs the database one write. Whether they were recorded; a failure is logged.
    @discardableResult
    package func record(_ actions: [(action: String, target: String)], instance: UUID?, context: some PanelRequestContext) async -> Bool {
        let events = actions.map {
            AuditEvent(actor: context.auditActor, action: $0.action, target: $0.target, clientAddress: context.clientAddress, instanceID: instance)
        }
        do {
            try await events.create(on: database.db())
            return true
        } catch {
            context.logger.error("could not record \(events.count) actions in the audit log: \(error)")
            return false
        }
    }

    package func latest(_ count: Int) async throws -> [AuditEvent] {
        try await search(AuditFilter.all, skipping: 0, count: count)
    }

    /// The entries `filter` picks, newest first: `count` of them after the newest `skipped`.
    package func search(_ filter: AuditFilter, skipping skipped: Int, count: Int) async throws -> [AuditEvent] {
        try await filter.apply(to: AuditEvent.query(on: database.db())).sort(\.$at, .descending).sort(\.$id).offset(skipped).limit(count).all()
    }

    /// The newest `count` events that concern one instance, newest first.
    package func latest(_ count: Int, on instance: UUID) async throws -> [AuditEvent] {
        try await AuditEvent.query(on: database.db()).filter(\.$instanceID == instance).sort(\.$at, .descending).limit(count).all()
    }
}
