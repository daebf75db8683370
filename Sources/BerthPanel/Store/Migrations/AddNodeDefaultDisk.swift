import FluentKit
import SQLKit

/// The disk limit a node gives deploys that ask for none; NULL, as for every node so far, is none.
struct AddNodeDefaultDisk: AsyncMigration {
    var name: String { "node-default-disk" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE nodes ADD COLUMN default_disk BIGINT").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE nodes DROP COLUMN default_disk").run()
    }
}
