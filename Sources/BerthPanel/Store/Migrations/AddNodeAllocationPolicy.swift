import FluentKit
import Foundation
import SQLKit

/// A node's allocation policy (port ranges, overallocation, maintenance) and the cores it reports. The
/// seed's `processor` is free text ("AMD EPYC 7543"), so the number an admin typed becomes that text,
/// and the node's capacity in cores comes from its own heartbeat from now on.
struct AddNodeAllocationPolicy: AsyncMigration {
    var name: String { "node-allocation-policy" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for column in [
            "processor_label TEXT NOT NULL DEFAULT ''",
            "cores DOUBLE PRECISION",
            "port_ranges TEXT NOT NULL DEFAULT ''",
            "memory_overallocation BIGINT NOT NULL DEFAULT 0",
            "cpu_overallocation BIGINT NOT NULL DEFAULT 0",
            "maintenance BOOLEAN NOT NULL DEFAULT FALSE",
        ] {
            try await sql.raw("ALTER TABLE nodes ADD COLUMN \(unsafeRaw: column)").run()
        }
        for row in try await sql.raw("SELECT id, processor FROM nodes").all(decoding: OldProcessor.self) {
            let label = row.processor.rounded() == row.processor ? String(Int(row.processor)) : String(row.processor)
            try await sql.raw("UPDATE nodes SET processor_label = \(bind: label) WHERE id = \(bind: row.id)").run()
        }
        try await sql.raw("ALTER TABLE nodes DROP COLUMN processor").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE nodes ADD COLUMN processor DOUBLE PRECISION NOT NULL DEFAULT 0").run()
        try await sql.raw("UPDATE nodes SET processor = COALESCE(cores, 0)").run()
        for column in ["processor_label", "cores", "port_ranges", "memory_overallocation", "cpu_overallocation", "maintenance"] {
            try await sql.raw("ALTER TABLE nodes DROP COLUMN \(unsafeRaw: column)").run()
        }
    }

    private struct OldProcessor: Decodable {
        let id: UUID
        let processor: Double
    }
}
