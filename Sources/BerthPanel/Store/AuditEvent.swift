import FluentKit
import Foundation

/// One entry of the audit log: who (a user or an API key) did what to which target, when, and from where.
package final class AuditEvent: Model, @unchecked Sendable {
    package static let schema = "audit_events"

    @ID(key: .id) package var id: UUID?
    @Field(key: "at") package var at: Date
    @Field(key: "actor_kind") package var actorKind: String
    @Field(key: "actor") package var actor: String
    @Field(key: "action") package var action: String
    @Field(key: "target") package var target: String
    @Field(key: "client_address") package var clientAddress: String
    /// The instance the action concerns, if one does: its activity, as its owner and subusers see it.
    @OptionalField(key: "instance_id") package var instanceID: UUID?

    package init() {}

    /// How ``actorKind`` names an API key; a user is `user`.
    package static let apiKeyKind = "api-key"
    /// How ``actorKind`` names someone not signed in.
    package static let visitorKind = "visitor"

    init(actor: AuditActor, action: String, target: String, clientAddress: String, instanceID: UUID? = nil) {
        at = Date()
        switch actor {
        case .user(let name): (actorKind, self.actor) = ("user", name)
        case .apiKey(let name): (actorKind, self.actor) = (Self.apiKeyKind, name)
        case .visitor: (actorKind, self.actor) = (Self.visitorKind, "visitor")
        }
        self.action = action
        self.target = target
        self.clientAddress = clientAddress
        self.instanceID = instanceID
    }
}
