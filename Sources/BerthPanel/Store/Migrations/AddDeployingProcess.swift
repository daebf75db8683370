import FluentKit
import SQLKit

/// Which panel process is deploying an instance, until its node has taken it: a replica that dies between
/// writing the row and hearing from the node leaves a row another replica can finish or roll back
/// (``InstanceStore/recoverAbandonedDeploys(at:)``).
struct AddDeployingProcess: AsyncMigration {
    var name: String { "deploying-process" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE instances ADD COLUMN deploying_process TEXT").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE instances DROP COLUMN deploying_process").run()
    }
}
