import FluentKit
import SQLKit

/// The table of open console sockets per user (``ConsoleSlots``).
struct CreateConsoleSlots: AsyncMigration {
    var name: String { "console-slots" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(table: ConsoleSlots.table)
            .column("user_id", type: .text, .notNull)
            .column("slot", type: .int, .notNull)
            .column("holder", type: .text, .notNull)
            .column("seen_at", type: .custom(SQLRaw("DOUBLE PRECISION")), .notNull)
            .primaryKey("user_id", "slot")
            .run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(table: ConsoleSlots.table).run()
    }
}
