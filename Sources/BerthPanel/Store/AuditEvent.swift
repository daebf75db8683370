import FluentKit
import Foundation

/// One entry of the audit log: who (a user or an API key) did what to which target, when, and from where.
final class AuditEvent: Model, @unchecked Sendable {
    static let schema = "audit_events"

    enum ActorKind: String {
        case user, apiKey = "api-key"
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "at") var at: Date
    @Field(key: "actor_kind") var actorKind: String
    @Field(key: "actor") var actor: String
    @Field(key: "action") var action: String
    @Field(key: "target") var target: String
    @Field(key: "client_address") var clientAddress: String

    init() {}

    init(actorKind: ActorKind, actor: String, action: String, target: String, clientAddress: String) {
        at = Date()
        self.actorKind = actorKind.rawValue
        self.actor = actor
        self.action = action
        self.target = target
        self.clientAddress = clientAddress
    }
}
