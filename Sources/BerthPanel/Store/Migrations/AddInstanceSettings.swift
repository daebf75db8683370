import FluentKit
import SQLKit

/// What an admin sets of an instance beyond the seed's fields: its own startup line (none: the image's),
/// its process limit, whether its owner accepted the game's EULA (an egg's `eula` feature), and how many
/// ports its owner may add to those of the deploy (and which allocations
/// they added). And the instance an
/// audit event concerns, so its owner and subusers see its activity (older events concern none).
struct AddInstanceSettings: AsyncMigration {
    var name: String { "instance-settings" }

    private static let columns = [
        "startup TEXT",
        "processes BIGINT NOT NULL DEFAULT 512",
        "extra_port_limit BIGINT NOT NULL DEFAULT 0",
        "settings_revision BIGINT NOT NULL DEFAULT 0",
        "eula_accepted BOOLEAN NOT NULL DEFAULT FALSE",
    ]

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for column in Self.columns {
            try await sql.raw("ALTER TABLE instances ADD COLUMN \(unsafeRaw: column)").run()
        }
        try await sql.raw("ALTER TABLE allocations ADD COLUMN extra BOOLEAN NOT NULL DEFAULT FALSE").run()
        // No foreign key: an instance's history outlives it in the admins' audit log.
        try await sql.raw("ALTER TABLE audit_events ADD COLUMN instance_id UUID").run()
        try await sql.raw("CREATE INDEX audit_events_by_instance ON audit_events (instance_id, at)").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX audit_events_by_instance").run()
        try await sql.raw("ALTER TABLE audit_events DROP COLUMN instance_id").run()
        try await sql.raw("ALTER TABLE allocations DROP COLUMN extra").run()
        for column in Self.columns {
            let name = column.split(separator: " ")[0]
            try await sql.raw("ALTER TABLE instances DROP COLUMN \(unsafeRaw: String(name))").run()
        }
    }
}
