import FluentKit
import SQLKit

/// Failed authentications per key (an address, or an account at an address), in the database so that
/// every panel process sharing it counts them together.
struct CreateThrottles: AsyncMigration {
    var name: String { "create-throttles" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(table: FailureThrottle.table)
            .column("name", type: .text, .primaryKey(autoIncrement: false))
            .column("failures", type: .bigint, .notNull)
            .column("last_failure", type: .custom(SQLRaw("DOUBLE PRECISION")), .notNull)
            .column("blocked_until", type: .custom(SQLRaw("DOUBLE PRECISION")), .notNull)
            .run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(table: FailureThrottle.table).run()
    }
}
