import Foundation
import Synchronization

/// How many console sockets each user has open through this panel process, so one account cannot hold
/// hundreds of relays (each a connection to a node) open at once.
final class OpenConsoles: Sendable {
    let limitPerUser: Int
    private let counts = Mutex<[UUID: Int]>([:])

    init(limitPerUser: Int) {
        self.limitPerUser = limitPerUser
    }

    /// Whether `user` may open one more.
    func hasRoom(for user: UUID) -> Bool {
        counts.withLock { $0[user, default: 0] < limitPerUser }
    }

    /// Counts one more for `user`, unless they are at the limit.
    func open(for user: UUID) -> Bool {
        counts.withLock { counts in
            guard counts[user, default: 0] < limitPerUser else { return false }
            counts[user, default: 0] += 1
            return true
        }
    }

    func close(for user: UUID) {
        counts.withLock { counts in
            counts[user, default: 1] -= 1
            if counts[user] == 0 { counts[user] = nil }
        }
    }
}
