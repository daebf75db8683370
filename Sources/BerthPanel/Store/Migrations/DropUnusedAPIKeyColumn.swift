import FluentKit
import SQLKit

/// `api_keys.last_used_at` was made in v1 and never written: a column that looks like information and
/// holds none. Removed until a key's last use is recorded for real.
struct DropUnusedAPIKeyColumn: AsyncMigration {
    var name: String { "drop-api-key-last-used" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE api_keys DROP COLUMN last_used_at").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE api_keys ADD COLUMN last_used_at TIMESTAMP").run()
    }
}
