import FluentKit
import SQLKit

/// Instance lists show whether each instance's node is online (`Node.status`, from the node's
/// `reported_offline`), so the whole list's copy moves when a node goes offline or comes back.
struct ListsShowNodeStatus: AsyncMigration {
    var name: String { "lists-show-node-status" }

    func prepare(on database: any Database) async throws {
        try await replaceNodeTrigger(watching: "id, name, address, port, reported_offline", on: database)
    }

    func revert(on database: any Database) async throws {
        try await replaceNodeTrigger(watching: "id, name, address, port", on: database)
    }

    private func replaceNodeTrigger(watching columns: String, on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await CreateListEpochs.dropTrigger("node_changed", after: "ON nodes", on: sql)
        try await CreateListEpochs.createTrigger("node_changed", moving: .instances, after: "UPDATE OF \(columns) ON nodes", on: sql)
    }
}
