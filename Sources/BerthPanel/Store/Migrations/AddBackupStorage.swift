import FluentKit
import SQLKit

/// Where each backup's archive is kept; every backup so far is on its node.
struct AddBackupStorage: AsyncMigration {
    var name: String { "backup-storage" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE backups ADD COLUMN storage TEXT NOT NULL DEFAULT 'local'").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE backups DROP COLUMN storage").run()
    }
}
