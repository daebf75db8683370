import FluentKit
import SQLKit

/// The node channel's second secret, the pinned certificate, and the nonces of signed callbacks. A node
/// made before keeps its one token for both directions (its key is its token) until it is made again.
struct SplitNodeChannel: AsyncMigration {
    var name: String { "split-node-channel" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE nodes ADD COLUMN callback_key TEXT").run()
        try await sql.raw("UPDATE nodes SET callback_key = token").run()
        try await sql.raw("ALTER TABLE nodes ADD COLUMN certificate TEXT").run()
        try await sql.raw("ALTER TABLE nodes ADD COLUMN offered_certificate TEXT").run()
        try await sql.create(table: CallbackNonces.table)
            .column("node_id", type: .custom(SQLRaw("TEXT")), .notNull)
            .column("nonce", type: .text, .notNull)
            .column("seen_at", type: .custom(SQLRaw("DOUBLE PRECISION")), .notNull)
            .primaryKey("node_id", "nonce")
            .run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(table: CallbackNonces.table).run()
        for column in ["callback_key", "certificate", "offered_certificate"] {
            try await sql.raw("ALTER TABLE nodes DROP COLUMN \(unsafeRaw: column)").run()
        }
    }
}
