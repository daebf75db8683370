/// When an instance that crashed is started again, and when the daemon gives up on it.
struct CrashPolicy: Sendable, Equatable {
    /// Crashes within ``window`` after which the instance is left offline.
    var limit: Int
    var window: Duration

    /// The crashes still inside the window at `now`, with the new one added.
    func recentCrashes(_ earlier: [ContinuousClock.Instant], adding now: ContinuousClock.Instant) -> [ContinuousClock.Instant] {
        earlier.filter { now - $0 < window } + [now]
    }

    func givesUp(after crashes: Int) -> Bool {
        crashes >= limit
    }

    /// Waits 1, 2, 4, ... seconds: a server that crashes at once does not spin, one that crashed once
    /// is back within a second.
    func backoff(after crashes: Int) -> Duration {
        .seconds(1 << max(0, min(crashes - 1, 16)))
    }
}
