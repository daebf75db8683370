import FluentKit
import SQLKit

/// The counter behind the panel's cache of verified API keys (``GrantEpoch``), and the register of panel
/// processes that keep such a cache. The database itself moves the counter on whenever a row that decides
/// what a key may do changes (a key revoked or deleted, its owner deleted or made or unmade an admin), so
/// no code path can change a grant and forget to say so.
struct CreateGrantEpoch: AsyncMigration {
    var name: String { "create-grant-epoch" }

    /// What each trigger fires on: every column of a key the check reads but its last use, and a user's
    /// identity and admin flag.
    private static let changes = [
        ("api_key_changed", "UPDATE OF revoked_at, scopes, user_id, secret_digest, lookup, name ON api_keys"),
        ("api_key_removed", "DELETE ON api_keys"),
        ("user_changed", "UPDATE OF admin, user_id ON users"),
        ("user_removed", "DELETE ON users"),
    ]

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE TABLE \(unsafeRaw: GrantEpoch.table) (id INTEGER PRIMARY KEY, value BIGINT NOT NULL)").run()
        try await sql.raw("INSERT INTO \(unsafeRaw: GrantEpoch.table) (id, value) VALUES (1, 0)").run()
        try await sql.raw(
            """
            CREATE TABLE \(unsafeRaw: GrantEpoch.processTable) \
            (id TEXT PRIMARY KEY, acknowledged_epoch BIGINT NOT NULL, seen_at DOUBLE PRECISION NOT NULL)
            """
        ).run()
        let bump = "UPDATE \(GrantEpoch.table) SET value = value + 1"
        if sql.dialect.name == "sqlite" {
            for (name, event) in Self.changes {
                try await sql.raw("CREATE TRIGGER grant_epoch_\(unsafeRaw: name) AFTER \(unsafeRaw: event) BEGIN \(unsafeRaw: bump); END").run()
            }
        } else {
            try await sql.raw(
                "CREATE FUNCTION next_grant_epoch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \(unsafeRaw: bump); RETURN NULL; END $$"
            ).run()
            for (name, event) in Self.changes {
                try await sql.raw(
                    "CREATE TRIGGER grant_epoch_\(unsafeRaw: name) AFTER \(unsafeRaw: event) FOR EACH STATEMENT EXECUTE FUNCTION next_grant_epoch()"
                ).run()
            }
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        let postgres = sql.dialect.name != "sqlite"
        for (name, event) in Self.changes {
            let table = event.split(separator: " ").last ?? ""
            try await sql.raw("DROP TRIGGER grant_epoch_\(unsafeRaw: name)\(unsafeRaw: postgres ? " ON \(table)" : "")").run()
        }
        if postgres { try await sql.raw("DROP FUNCTION next_grant_epoch()").run() }
        try await sql.raw("DROP TABLE \(unsafeRaw: GrantEpoch.processTable)").run()
        try await sql.raw("DROP TABLE \(unsafeRaw: GrantEpoch.table)").run()
    }
}
