import FluentKit
import SQLKit

/// Instances' moves between nodes; rows go with their instance.
struct CreateTransfers: AsyncMigration {
    var name: String { "transfers" }

    func prepare(on database: any Database) async throws {
        try await database.schema(Transfer.schema)
            .id()
            .field("instance_id", .uuid, .required, .references(Instance.schema, .id, onDelete: .cascade))
            .field("source_node_id", .uuid, .required)
            .field("target_node_id", .uuid, .required)
            .field("live", .bool, .required)
            .field("process", .string, .required)
            .field("state", .string, .required)
            .field("error", .string)
            .field("bytes", .int64)
            .field("downtime_ms", .int)
            .field("changed_bytes", .int64)
            .field("source_removed", .bool, .required)
            .field("created_at", .datetime)
            .field("finished_at", .datetime)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX transfers_by_instance ON transfers (instance_id)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Transfer.schema).delete()
    }
}
