import BerthHTTP
import Foundation
import SQLKit

/// Counts failed authentications per key and makes a key that fails too often wait, by a
/// ``ThrottlePolicy``. The counts live in the database, so every panel process on it sees the same ones,
/// and a restart does not wipe them.
package struct FailureThrottle: Sendable {
    static let table = "throttles"

    let database: PanelDatabase
    package let policy: ThrottlePolicy

    /// How long `key` must still wait before it may try again, or nil when it may try now.
    package func wait(for key: String, now: Date = Date()) async throws -> Duration? {
        let row = try await database.sql()
            .raw("SELECT blocked_until FROM throttles WHERE name = \(bind: key)")
            .first()
        guard let blockedUntil = try row?.decode(column: "blocked_until", as: Double.self) else { return nil }
        let remaining = blockedUntil - now.timeIntervalSince1970
        return remaining > 0 ? .milliseconds(Int64((remaining * 1000).rounded(.up))) : nil
    }

    /// Counts one failure of `key`, and sets its wait. One statement counts, so concurrent failures from
    /// several panel processes all count.
    package func recordFailure(of key: String, now: Date = Date()) async throws {
        let time = now.timeIntervalSince1970
        let forgotten = time - policy.memory.inSeconds
        let sql = database.sql()
        let counted = try await sql.raw(
            """
            INSERT INTO throttles (name, failures, last_failure, blocked_until) VALUES (\(bind: key), 1, \(bind: time), 0)
            ON CONFLICT (name) DO UPDATE SET
              failures = CASE WHEN throttles.last_failure < \(bind: forgotten) THEN 1 ELSE throttles.failures + 1 END,
              last_failure = \(bind: time)
            RETURNING failures
            """
        ).first()
        let failures = try counted?.decode(column: "failures", as: Int.self) ?? 1
        let blockedUntil = time + policy.delay(afterFailures: failures).inSeconds
        try await sql.raw("UPDATE throttles SET blocked_until = \(bind: blockedUntil) WHERE name = \(bind: key)").run()
        // A new key is the moment to drop those nobody has failed with for a while, so a stream of
        // addresses cannot grow the table without bound.
        if failures == 1 {
            try await sql.raw("DELETE FROM throttles WHERE last_failure < \(bind: forgotten)").run()
        }
    }

    /// Clears `key`'s failures: the owner proved who they are.
    package func forget(_ key: String) async throws {
        try await database.sql().raw("DELETE FROM throttles WHERE name = \(bind: key)").run()
    }
}
