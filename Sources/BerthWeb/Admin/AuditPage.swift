import BerthPanel
import Foundation
import Hummingbird

/// `/admin/audit`: the latest entries of the audit log, newest first.
struct AuditPage: Sendable {
    let pages: WebPages
    let audit: AuditLog

    static let shown = 500

    struct Row {
        let at: String
        let actorKind: String
        let isKey: Bool
        let actor: String
        let action: String
        let target: String
        let clientAddress: String
    }

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("audit") { _, context in
            let rows = try await audit.latest(Self.shown).map { event in
                Row(
                    at: ISO8601DateFormatter().string(from: event.at),
                    actorKind: event.actorKind,
                    isKey: event.actorKind == AuditEvent.apiKeyKind,
                    actor: event.actor,
                    action: event.action,
                    target: event.target,
                    clientAddress: event.clientAddress
                )
            }
            return pages.render("admin-audit", title: "Audit log", content: ["events": rows], context: context)
        }
    }
}
