import FluentKit
import SQLKit

/// API keys get scopes (every existing key keeps the seed's full access, `admin`), an optional owning user,
/// and the time of their last use.
struct AddAPIKeyScopes: AsyncMigration {
    var name: String { "api-key-scopes" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for column in ["scopes TEXT NOT NULL DEFAULT 'admin'", "user_id TEXT", "last_used_at DOUBLE PRECISION"] {
            try await sql.raw("ALTER TABLE api_keys ADD COLUMN \(unsafeRaw: column)").run()
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for column in ["scopes", "user_id", "last_used_at"] {
            try await sql.raw("ALTER TABLE api_keys DROP COLUMN \(unsafeRaw: column)").run()
        }
    }
}
