import Foundation
import SQLKit

/// A number the database moves on whenever what some API key may do changes (``CreateGrantEpoch``'s
/// triggers), and the acknowledgements of the panel processes that cache verified keys.
///
/// The promise it keeps: a request that starts after a change to a grant returned (a key revoked, its owner
/// deleted or demoted), in this process or any other on the same database, is judged by the changed grant.
/// A panel process serves a cached key only while its last reading of the epoch started less than
/// ``freshness`` ago and found the epoch its cache was filled under (``VerifiedKeys``). Whoever changes a
/// grant then waits (``awaitAcknowledgement()``) until every live process has read the new epoch, or until
/// ``freshness`` has passed since the change, after which no process can still trust a reading older than it.
struct GrantEpoch: Sendable {
    let database: PanelDatabase

    static let table = "grant_epoch"
    static let processTable = "panel_processes"

    /// How old a reading of the epoch may be for a cached key to be served: many readings' worth, so a
    /// busy machine's slow reading does not send every key to the database.
    static let freshness: Duration = .seconds(2)
    /// A process serves cached keys only if its register row was written this recently before its reading:
    /// so one that a waiter passes over as gone (``liveWindow``) cannot be serving from its cache.
    static let livenessProof: Duration = .seconds(20)
    /// Rows older than this belong to processes that stopped (or are too stalled to serve from their
    /// caches); waiters pass over them. Well above ``livenessProof`` plus a waiter's longest wait.
    static let liveWindow: Double = 60

    /// The current epoch.
    func current() async throws -> Int64 {
        let row = try await database.sqlWhileOpen().raw("SELECT value FROM \(unsafeRaw: Self.table) WHERE id = 1").first(decoding: Value.self)
        return row?.value ?? 0
    }

    /// Writes that `process` has read `epoch` and is alive, registering it if it is not yet. A file locked by
    /// another writer fails it at once: the watcher tries again a moment later.
    func acknowledge(_ epoch: Int64, by process: String) async throws {
        let now = now
        try await database.withBriefWaitForTheLock { sql in
            try await sql.raw(
                """
                INSERT INTO \(unsafeRaw: Self.processTable) (id, acknowledged_epoch, seen_at) VALUES (\(bind: process), \(bind: epoch), \(unsafeRaw: now)) \
                ON CONFLICT (id) DO UPDATE SET acknowledged_epoch = excluded.acknowledged_epoch, seen_at = excluded.seen_at
                """
            ).run()
        }
    }

    /// Takes a stopping process off the register, so that no change waits for it.
    func forget(_ process: String) async throws {
        try await database.sqlWhileOpen().raw("DELETE FROM \(unsafeRaw: Self.processTable) WHERE id = \(bind: process)").run()
    }

    /// Returns once every live panel process has read the epoch as it is now (so has dropped the keys it
    /// verified before), or once ``freshness`` has passed, whichever comes first. Call it after a change to
    /// a grant has been committed, before telling anyone it is done.
    func awaitAcknowledgement() async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + Self.freshness + .milliseconds(250)
        let epoch = try await current()
        while clock.now < deadline {
            let behind = try await database.sql().raw(
                """
                SELECT COUNT(*) AS value FROM \(unsafeRaw: Self.processTable) \
                WHERE acknowledged_epoch < \(bind: epoch) AND seen_at > \(unsafeRaw: now) - \(bind: Self.liveWindow)
                """
            ).first(decoding: Value.self)
            if (behind?.value ?? 0) == 0 { return }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    private var now: String { database.clock }

    /// The panel processes that wrote to the register within the last `seconds`: those alive.
    func liveProcesses(seenWithin seconds: Double) async throws -> Set<String> {
        let rows = try await database.sql().raw(
            "SELECT id FROM \(unsafeRaw: Self.processTable) WHERE seen_at > \(unsafeRaw: now) - \(bind: seconds)"
        ).all(decoding: Process.self)
        return Set(rows.map(\.id))
    }

    private struct Process: Decodable {
        let id: String
    }

    private struct Value: Decodable {
        let value: Int64
    }
}
