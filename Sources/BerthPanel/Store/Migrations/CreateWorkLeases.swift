import FluentKit
import SQLKit

/// Leases on background work that one panel process at a time should do (``WorkLease``).
struct CreateWorkLeases: AsyncMigration {
    var name: String { "create-work-leases" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw(
            "CREATE TABLE \(unsafeRaw: WorkLease.table) (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at DOUBLE PRECISION NOT NULL)"
        ).run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP TABLE \(unsafeRaw: WorkLease.table)").run()
    }
}
