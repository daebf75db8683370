import FluentKit
import SQLKit

/// What users sign in to SFTP with besides their panel password: public keys, and a password of its own
/// (which accounts with a second factor need, their panel password alone not being enough).
struct CreateSFTPKeys: AsyncMigration {
    var name: String { "sftp-keys" }

    func prepare(on database: any Database) async throws {
        try await database.schema(SFTPKey.schema)
            .id()
            .field("user_id", .string, .required, .references(User.schema, "user_id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("public_key", .string, .required)
            .field("fingerprint", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "user_id", "fingerprint")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE users ADD COLUMN sftp_password_hash TEXT").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SFTPKey.schema).delete()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE users DROP COLUMN sftp_password_hash").run()
    }
}
