import FluentKit
import SQLKit

/// Whether webhooks were told a node went offline, so they hear of it once, and of its return.
struct AddNodeOfflineReport: AsyncMigration {
    var name: String { "node-offline-report" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE nodes ADD COLUMN reported_offline BOOLEAN NOT NULL DEFAULT FALSE").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE nodes DROP COLUMN reported_offline").run()
    }
}
