import Foundation
import Synchronization

/// Counts failed authentications per client and shuts out a client that fails too often, for a while,
/// without slowing down anyone else.
package final class FailedAuthenticationLimiter: Sendable {
    let limit: Int
    let window: Duration
    private let failures = Mutex<[String: Window]>([:])

    private struct Window {
        var start: ContinuousClock.Instant
        var count: Int
    }

    package init(limit: Int = 10, window: Duration = .seconds(60)) {
        self.limit = limit
        self.window = window
    }

    /// Whether the client has failed too often within the window.
    package func isBlocked(_ client: String) -> Bool {
        let now = ContinuousClock.now
        return failures.withLock { failures in
            guard let entry = failures[client] else { return false }
            if now - entry.start >= window {
                failures[client] = nil
                return false
            }
            return entry.count >= limit
        }
    }

    package func recordFailure(_ client: String) {
        let now = ContinuousClock.now
        failures.withLock { failures in
            if var entry = failures[client], now - entry.start < window {
                entry.count += 1
                failures[client] = entry
            } else {
                failures[client] = Window(start: now, count: 1)
            }
            // Forget clients whose window ended, so a stream of addresses cannot grow this without bound.
            if failures.count > 10_000 {
                failures = failures.filter { now - $0.value.start < window }
            }
        }
    }
}
