import FluentKit
import SQLKit

/// One reset link per account, kept by a unique index, so that the request that replaces it can decide
/// with one statement whether the last is recent enough to send no letter.
struct OneResetPerAccount: AsyncMigration {
    var name: String { "one-reset-per-account" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        // Two requests at once could each leave a row before; the newer one stays.
        try await sql.raw(
            """
            DELETE FROM password_resets WHERE created_at < \
            (SELECT MAX(newer.created_at) FROM password_resets newer WHERE newer.user_id = password_resets.user_id)
            """
        ).run()
        try await sql.raw("CREATE UNIQUE INDEX password_resets_one_per_user ON password_resets (user_id)").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX password_resets_one_per_user").run()
    }
}
