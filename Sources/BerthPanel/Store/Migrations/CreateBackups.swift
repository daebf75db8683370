import FluentKit
import SQLKit

/// The backups table, and how many backups each instance may keep (three unless an admin says otherwise).
struct CreateBackups: AsyncMigration {
    var name: String { "backups" }

    func prepare(on database: any Database) async throws {
        try await database.schema(Backup.schema)
            .id()
            .field("instance_id", .uuid, .required, .references(Instance.schema, .id, onDelete: .cascade))
            .field("name", .string, .required)
            .field("state", .string, .required)
            .field("size", .int64)
            .field("sha256", .string)
            .field("failure", .string)
            .field("locked", .bool, .required)
            .field("created_at", .datetime)
            .field("completed_at", .datetime)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX backups_by_instance ON backups (instance_id, created_at)").run()
        try await sql.raw("ALTER TABLE instances ADD COLUMN backup_limit BIGINT NOT NULL DEFAULT \(unsafeRaw: String(InstanceBackups.defaultLimit))")
            .run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE instances DROP COLUMN backup_limit").run()
        try await database.schema(Backup.schema).delete()
    }
}
