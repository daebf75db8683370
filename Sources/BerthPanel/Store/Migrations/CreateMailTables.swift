import FluentKit

/// What e-mail needs: the panel's settings (the Mail page's, one JSON value per name), password reset
/// links, and invitations to an instance for people without an account; links are kept as their digests.
struct CreateMailTables: AsyncMigration {
    var name: String { "mail" }

    func prepare(on database: any Database) async throws {
        try await database.schema(MailSettingsStore.table)
            .field("name", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .create()
        try await database.schema(PasswordResets.table)
            .field("token_digest", .string, .identifier(auto: false))
            .field("user_id", .uuid, .required, .references(User.schema, .id, onDelete: .cascade))
            .field("created_at", .double, .required)
            .field("expires_at", .double, .required)
            .create()
        try await database.schema(Invitations.table)
            .field("token_digest", .string, .identifier(auto: false))
            .field("instance_id", .uuid, .required, .references(Instance.schema, .id, onDelete: .cascade))
            .field("email_key", .string, .required)
            .field("permissions", .string, .required)
            .field("created_at", .double, .required)
            .field("expires_at", .double, .required)
            .unique(on: "instance_id", "email_key")
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in [Invitations.table, PasswordResets.table, MailSettingsStore.table] {
            try await database.schema(table).delete()
        }
    }
}
