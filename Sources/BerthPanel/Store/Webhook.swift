import FluentKit
import Foundation

/// A URL that hears of events: an admin's for every instance (no instance), or an owner's for one.
final class Webhook: Model, @unchecked Sendable {
    static let schema = "webhooks"

    @ID(key: .id) var id: UUID?
    /// Nil for an admin's webhook, which hears of every instance.
    @OptionalField(key: "instance_id") var instanceID: UUID?
    @Field(key: "url") var url: String
    /// The signing secret, sealed with the panel key: the panel needs it whole to sign.
    @Field(key: "secret") var sealedSecret: String
    /// ``WebhookEvent`` names, comma-separated.
    @Field(key: "events") var events: String
    /// A ``WebhookFormat``.
    @Field(key: "format") var format: String
    /// Deliveries dropped because the queue for this URL was full.
    @Field(key: "dropped") var dropped: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    static let secretColumn = "webhooks.secret"

    init() {}
}

/// One event on its way to one webhook: the exact body signed, and how its attempts went.
final class WebhookDelivery: Model, @unchecked Sendable {
    static let schema = "webhook_deliveries"

    @ID(key: .id) var id: UUID?
    @Parent(key: "webhook_id") var webhook: Webhook
    @Field(key: "event") var event: String
    @Field(key: "body") var body: String
    /// `pending`, `delivered`, `failed` (gave up) or `dropped` (the queue was full).
    @Field(key: "state") var state: String
    @Field(key: "attempts") var attempts: Int
    /// When the next attempt is due, in whole seconds; also the lease a sender takes while it sends.
    @OptionalField(key: "next_attempt") var nextAttempt: Int?
    @OptionalField(key: "last_status") var lastStatus: Int?
    @OptionalField(key: "last_error") var lastError: String?
    /// Whole seconds.
    @Field(key: "created") var created: Int
    @OptionalField(key: "delivered") var delivered: Int?

    init() {}
}
