import FluentKit

/// Version 2 of the panel's schema, for the web UI: sessions that survive restarts, the audit log,
/// and each user's two-factor settings and session epoch.
struct AddWebSchema: AsyncMigration {
    var name: String { "v2-web" }

    func prepare(on database: any Database) async throws {
        try await database.schema(SessionRecord.schema)
            .field("key_digest", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .field("expires_at", .datetime)
            .create()
        try await database.schema(AuditEvent.schema)
            .id()
            .field("at", .datetime, .required)
            .field("actor_kind", .string, .required)
            .field("actor", .string, .required)
            .field("action", .string, .required)
            .field("target", .string, .required)
            .field("client_address", .string, .required)
            .create()
        // SQLite adds one column per statement.
        for field in ["totp_secret", "recovery_codes"] {
            try await database.schema(User.schema).field(.definition(name: .key(.string(field)), dataType: .string, constraints: [])).update()
        }
        for field in ["totp_last_step", "session_epoch"] {
            try await database.schema(User.schema).field(.definition(name: .key(.string(field)), dataType: .int, constraints: [])).update()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuditEvent.schema).delete()
        try await database.schema(SessionRecord.schema).delete()
        try await database.schema(User.schema)
            .deleteField("totp_secret").deleteField("recovery_codes").deleteField("totp_last_step").deleteField("session_epoch")
            .update()
    }
}
