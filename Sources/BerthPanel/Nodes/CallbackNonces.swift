import BerthHTTP
import Foundation
import SQLKit

/// The nonces of the signed callbacks each node has sent, kept for as long as a callback can be fresh:
/// a callback whose nonce is here already is one sent again. In the database, so that every panel
/// process sharing it refuses a replay that another one took.
struct CallbackNonces: Sendable {
    static let table = "callback_nonces"

    let database: PanelDatabase

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
        // Past twice the freshness no callback carrying the nonce would be taken anyway.
        let forgotten = time - Double(2 * CallbackSignature.freshness)
        try await sql.raw("DELETE FROM callback_nonces WHERE seen_at < \(bind: forgotten)").run()
        return !inserted.isEmpty
    }
}
