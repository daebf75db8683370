import FluentKit
import SQLKit

/// Webhooks and their deliveries; deliveries go with their webhook, an owner's webhook with its instance.
struct CreateWebhooks: AsyncMigration {
    var name: String { "webhooks" }

    func prepare(on database: any Database) async throws {
        try await database.schema(Webhook.schema)
            .id()
            .field("instance_id", .uuid, .references(Instance.schema, .id, onDelete: .cascade))
            .field("url", .string, .required)
            .field("secret", .string, .required)
            .field("events", .string, .required)
            .field("format", .string, .required)
            .field("dropped", .int64, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema(WebhookDelivery.schema)
            .id()
            .field("webhook_id", .uuid, .required, .references(Webhook.schema, .id, onDelete: .cascade))
            .field("event", .string, .required)
            .field("body", .string, .required)
            .field("state", .string, .required)
            .field("attempts", .int64, .required)
            .field("next_attempt", .int64)
            .field("last_status", .int64)
            .field("last_error", .string)
            .field("created", .int64, .required)
            .field("delivered", .int64)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt)").run()
        try await sql.raw("CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, created)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(WebhookDelivery.schema).delete()
        try await database.schema(Webhook.schema).delete()
    }
}
