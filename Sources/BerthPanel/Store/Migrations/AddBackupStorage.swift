import FluentKit
import SQLKit

/// Where each backup's archive is kept (every backup so far is on its node), and how much all of an
/// instance's backups may take (no limit so far).
struct AddBackupStorage: AsyncMigration {
    var name: String { "backup-storage" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE backups ADD COLUMN storage TEXT NOT NULL DEFAULT 'local'").run()
        try await sql.raw("ALTER TABLE instances ADD COLUMN backup_size_limit BIGINT NOT NULL DEFAULT 0").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE instances DROP COLUMN backup_size_limit").run()
        try await sql.raw("ALTER TABLE backups DROP COLUMN storage").run()
    }
}
