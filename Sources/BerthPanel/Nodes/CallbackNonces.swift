import BerthHTTP
import Foundation
import SQLKit
import Synchronization

/// The nonces of the signed callbacks each node has sent, kept for as long as a callback can be fresh:
/// a callback whose nonce is here already is one sent again. In the database, so that every panel
/// process sharing it refuses a replay that another one took.
struct CallbackNonces: Sendable {
    static let table = "callback_nonces"

    let database: PanelDatabase
    /// When this process last removed the nonces too old to matter: once a second is enough, where every
    /// callback doing it made each one wait on a delete (docs/scale.md).
    private let lastPruned = PruneClock()

    /// Records `nonce` as `node`'s; false when it was used before. One statement decides, so two
    /// processes taking the same callback at once accept it once.
    func use(_ nonce: String, by node: UUID, now: Date = Date()) async throws -> Bool {
        let time = now.timeIntervalSince1970
        let sql = database.sql()
        let inserted = try await sql.raw(
            """
            INSERT INTO callback_nonces (node_id, nonce, seen_at) VALUES (\(bind: node.uuidString), \(bind: nonce), \(bind: time))
            ON CONFLICT (node_id, nonce) DO NOTHING RETURNING nonce
            """
        ).all()
        if lastPruned.isDue(at: time) {
            // Past twice the freshness no callback carrying the nonce would be taken anyway.
            let forgotten = time - Double(2 * CallbackSignature.freshness)
            try await sql.raw("DELETE FROM callback_nonces WHERE seen_at < \(bind: forgotten)").run()
        }
        return !inserted.isEmpty
    }
}

/// Whether a second has passed since the last time it said so.
private final class PruneClock: Sendable {
    private let last = Mutex<Double>(0)

    func isDue(at time: Double) -> Bool {
        last.withLock { last in
            guard time - last >= 1 else { return false }
            last = time
            return true
        }
    }
}
