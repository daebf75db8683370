import FluentKit
import SQLKit

/// Indexes for what grows with nodes and instances (docs/scale.md): a node's instances (capacity sums,
/// a node's list), an instance's allocations (moves, deletions), callback nonces by age (pruned as callbacks
/// come), and the few rows background work looks for among many (unconfirmed deploys and deletions).
struct IndexForManyNodes: AsyncMigration {
    var name: String { "index-for-many-nodes" }

    private static let indexes = [
        ("instances_by_node", "instances (node_id)"),
        ("allocations_by_instance", "allocations (instance_id)"),
        ("callback_nonces_by_age", "callback_nonces (seen_at)"),
        ("instances_deploying", "instances (deploying_process) WHERE deploying_process IS NOT NULL"),
        ("instances_deleting", "instances (id) WHERE deleting"),
    ]

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for (name, definition) in Self.indexes {
            try await sql.raw("CREATE INDEX \(unsafeRaw: name) ON \(unsafeRaw: definition)").run()
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for (name, _) in Self.indexes {
            try await sql.raw("DROP INDEX \(unsafeRaw: name)").run()
        }
    }
}
