import FluentKit
import Foundation
import SQLKit

/// The console sockets each user has open, counted in the database so the cap holds across every panel
/// process that shares it: one account cannot hold hundreds of relays (each a connection to a node) open
/// by spreading them over replicas. A user has ``limitPerUser`` numbered slots; opening a console claims
/// a free one with an insert the table's key decides, so two processes never hand out one slot twice.
package struct ConsoleSlots: Sendable {
    let database: PanelDatabase
    package let limitPerUser: Int

    static let table = "console_slots"
    /// A slot whose holder has not said it is alive for this long is free again: its panel process ended
    /// without releasing it.
    static let staleAfter: TimeInterval = 120
    /// How often an open console says it is alive.
    package static let keepAliveInterval: TimeInterval = 30

    /// One claimed slot.
    package struct Claim: Sendable {
        let userID: String
        let slot: Int
        let holder: String
    }

    /// Whether `user` has a free slot now (a hint before the handshake; ``claim(for:now:)`` decides).
    package func hasRoom(for user: UUID, now: Date = Date()) async throws -> Bool {
        let query: SQLQueryString = """
            SELECT COUNT(*) AS taken FROM console_slots \
            WHERE user_id = \(bind: user.uuidString) AND seen_at >= \(bind: now.timeIntervalSince1970 - Self.staleAfter)
            """
        let taken = try await database.sql().raw(query).first()?.decode(column: "taken", as: Int.self) ?? 0
        return taken < limitPerUser
    }

    /// A free slot of `user`'s (one never claimed, released, or stale), or nil when all are held.
    package func claim(for user: UUID, now: Date = Date()) async throws -> Claim? {
        let holder = UUID().uuidString
        let time = now.timeIntervalSince1970
        for slot in 0..<limitPerUser {
            let query: SQLQueryString = """
                INSERT INTO console_slots (user_id, slot, holder, seen_at) \
                VALUES (\(bind: user.uuidString), \(bind: slot), \(bind: holder), \(bind: time)) \
                ON CONFLICT (user_id, slot) DO UPDATE SET holder = excluded.holder, seen_at = excluded.seen_at \
                WHERE console_slots.seen_at < \(bind: time - Self.staleAfter) RETURNING holder
                """
            if try await database.sql().raw(query).first() != nil {
                return Claim(userID: user.uuidString, slot: slot, holder: holder)
            }
        }
        return nil
    }

    /// Says the console holding `claim` is still open.
    package func keepAlive(_ claim: Claim, now: Date = Date()) async throws {
        let query: SQLQueryString = """
            UPDATE console_slots SET seen_at = \(bind: now.timeIntervalSince1970) \
            WHERE user_id = \(bind: claim.userID) AND slot = \(bind: claim.slot) AND holder = \(bind: claim.holder)
            """
        try await database.sql().raw(query).run()
    }

    /// Frees the slot, unless another holder has taken it over since.
    package func release(_ claim: Claim) async throws {
        let query: SQLQueryString = """
            DELETE FROM console_slots \
            WHERE user_id = \(bind: claim.userID) AND slot = \(bind: claim.slot) AND holder = \(bind: claim.holder)
            """
        try await database.sql().raw(query).run()
    }
}
