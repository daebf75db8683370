import FluentKit
import SQLKit

/// The counters behind the panel's copies of its whole lists (``ListCache``): the database itself moves a
/// list's counter in the transaction of any change to a column the list shows, so no code path can change
/// an instance or a user and leave a stale list behind.
struct CreateListEpochs: AsyncMigration {
    var name: String { "create-list-epochs" }

    /// What moves each list: the columns `GET /api/instances` shows of an instance and of its node, and
    /// those `GET /api/users` shows of a user (the order's `created_at` included).
    private static let changes = [
        ("instance_added", ListCache.List.instances, "INSERT ON instances"),
        (
            "instance_changed", .instances,
            """
            UPDATE OF id, name, node_id, owner_user_id, docker_image, memory, cpu, disk, ports, primary_port, variables, \
            install_state, power_state, reason, container_id, suspended, deleting, created_at ON instances
            """
        ),
        ("instance_removed", .instances, "DELETE ON instances"),
        ("node_changed", .instances, "UPDATE OF id, name, address, port ON nodes"),
        ("user_added", .users, "INSERT ON users"),
        ("user_changed", .users, "UPDATE OF id, user_id, username, email, admin, created_at ON users"),
        ("user_removed", .users, "DELETE ON users"),
    ]

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE TABLE \(unsafeRaw: ListCache.table) (id TEXT PRIMARY KEY, value BIGINT NOT NULL)").run()
        for list in ListCache.List.allCases {
            try await sql.raw("INSERT INTO \(unsafeRaw: ListCache.table) (id, value) VALUES (\(bind: list.rawValue), 0)").run()
        }
        if sql.dialect.name == "sqlite" {
            for (name, list, event) in Self.changes {
                try await Self.createTrigger(name, moving: list, after: event, on: sql)
            }
        } else {
            // On PostgreSQL the counter's row is locked by the transaction that moves it until it commits. The
            // triggers are deferred to the commit, so that lock is the last any transaction takes: taken
            // in the middle, two transactions changing two instances each could deadlock on it. A
            // transaction changing many rows moves the counter once.
            try await sql.raw(
                """
                CREATE FUNCTION next_list_epoch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                UPDATE \(unsafeRaw: ListCache.table) SET value = value + 1, moved_by = txid_current() \
                WHERE id = TG_ARGV[0] AND moved_by IS DISTINCT FROM txid_current(); RETURN NULL; END $$
                """
            ).run()
            try await sql.raw("ALTER TABLE \(unsafeRaw: ListCache.table) ADD COLUMN moved_by BIGINT").run()
            for (name, list, event) in Self.changes {
                try await Self.createTrigger(name, moving: list, after: event, on: sql)
            }
        }
    }

    /// The trigger `list_epoch_<name>` that moves `list`'s counter after `event` (`UPDATE OF … ON table`).
    static func createTrigger(_ name: String, moving list: ListCache.List, after event: String, on sql: any SQLDatabase) async throws {
        if sql.dialect.name == "sqlite" {
            // SQLite has one writer at a time, so the counter's row is never a lock anyone waits on.
            let bump = "UPDATE \(ListCache.table) SET value = value + 1 WHERE id = '\(list.rawValue)'"
            try await sql.raw("CREATE TRIGGER list_epoch_\(unsafeRaw: name) AFTER \(unsafeRaw: event) BEGIN \(unsafeRaw: bump); END").run()
        } else {
            try await sql.raw(
                """
                CREATE CONSTRAINT TRIGGER list_epoch_\(unsafeRaw: name) AFTER \(unsafeRaw: event) \
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION next_list_epoch('\(unsafeRaw: list.rawValue)')
                """
            ).run()
        }
    }

    static func dropTrigger(_ name: String, after event: String, on sql: any SQLDatabase) async throws {
        let table = event.split(separator: " ").last ?? ""
        try await sql.raw("DROP TRIGGER list_epoch_\(unsafeRaw: name)\(unsafeRaw: sql.dialect.name == "sqlite" ? "" : " ON \(table)")").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for (name, _, event) in Self.changes {
            try await Self.dropTrigger(name, after: event, on: sql)
        }
        if sql.dialect.name != "sqlite" { try await sql.raw("DROP FUNCTION next_list_epoch()").run() }
        try await sql.raw("DROP TABLE \(unsafeRaw: ListCache.table)").run()
    }
}
