import FluentKit
import SQLKit

/// Indexes for the API's instance reads: `getUserInstance` looks instances up by owner, and every list is
/// ordered by creation. Without them, each `getUserInstance` read the whole table (10,000 rows in the
/// benchmark, see docs/performance.md).
struct IndexInstanceReads: AsyncMigration {
    var name: String { "index-instance-reads" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "instances_owner_user_id").on(Instance.schema).column("owner_user_id").run()
        try await sql.create(index: "instances_created_at").on(Instance.schema).column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "instances_created_at").run()
        try await sql.drop(index: "instances_owner_user_id").run()
    }
}
