import Foundation
import Logging
import ServiceLifecycle

/// Reads ``GrantEpoch`` for this panel process ten times a second, so its ``VerifiedKeys`` stay fresh
/// and drop what a change to a grant made stale, and acknowledges each new epoch (and its being alive) in
/// the register, which is what a change waits for. Runs only inside a running panel: a CLI command never
/// serves from the cache.
struct GrantEpochWatcher: Service {
    let epoch: GrantEpoch
    let keys: VerifiedKeys
    let logger: Logger
    /// This process in the register (``Panel/process``).
    let process: String

    /// How long a change to a grant waits for this process at most, in the usual case; ten small reads a
    /// second per panel process cost next to nothing, and a test suite runs dozens of panels at once.
    static let interval: Duration = .milliseconds(100)
    /// An unchanged epoch is acknowledged this often, to show the process is alive.
    static let keepAlive: Duration = .seconds(5)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            let clock = ContinuousClock()
            var registered: ContinuousClock.Instant?
            var acknowledged: Int64?
            var failing = false
            repeat {
                let readingStarted = clock.now
                do {
                    let current = try await epoch.current()
                    // Dropped from the cache before it is acknowledged: a change that sees the acknowledgement
                    // may tell its caller it is done.
                    keys.observe(current, readingStarted: readingStarted, registered: registered)
                    if current != acknowledged || registered.map({ clock.now - $0 >= Self.keepAlive }) != false {
                        let writing = clock.now
                        try await epoch.acknowledge(current, by: process)
                        registered = writing
                        acknowledged = current
                    }
                    if failing { logger.notice("the API-key cache reads the grant epoch again") }
                    failing = false
                } catch {
                    if !failing {
                        logger.warning("the API-key cache cannot read the grant epoch, so every key is checked in the database: \(error)")
                    }
                    failing = true
                }
            } while (try? await Task.sleep(for: Self.interval)) != nil
        }
        // Not when cancelled: the database may be closing beside this service.
        if !Task.isCancelled { try? await epoch.forget(process) }
    }
}
