/// How many failures a key may have for free, and how long it waits after each one beyond: a wait that
/// doubles, so guessing slows to a crawl while the real owner who mistyped twice never notices.
package struct ThrottlePolicy: Sendable, Equatable {
    /// Failures before the first wait.
    package var freeFailures: Int
    package var firstDelay: Duration
    package var longestDelay: Duration
    /// A key whose last failure is older than this starts again from nothing.
    package var memory: Duration

    package init(freeFailures: Int, firstDelay: Duration, longestDelay: Duration, memory: Duration) {
        self.freeFailures = freeFailures
        self.firstDelay = firstDelay
        self.longestDelay = longestDelay
        self.memory = memory
    }

    /// The wait after a key's `failures`-th failure.
    package func delay(afterFailures failures: Int) -> Duration {
        guard failures >= freeFailures else { return .zero }
        let doublings = min(failures - freeFailures, 40)
        return min(firstDelay * (Int64(1) << doublings), longestDelay)
    }
}

extension ThrottlePolicy {
    /// Wrong or missing API keys from one address.
    package static func failedKeys(free: Int) -> ThrottlePolicy {
        ThrottlePolicy(freeFailures: free, firstDelay: .seconds(30), longestDelay: .seconds(15 * 60), memory: .seconds(60 * 60))
    }

    /// Failed sign-ins from one address, whatever account they name: one noisy client.
    package static func signInsFromClient(free: Int) -> ThrottlePolicy {
        ThrottlePolicy(freeFailures: free, firstDelay: .seconds(30), longestDelay: .seconds(15 * 60), memory: .seconds(60 * 60))
    }

    /// Failed sign-ins of one account from one address. Never per account alone: anyone could then lock
    /// the real `admin` out by failing on purpose.
    package static let signInsOfAccountFromClient = ThrottlePolicy(
        freeFailures: 5,
        firstDelay: .seconds(15),
        longestDelay: .seconds(15 * 60),
        memory: .seconds(60 * 60)
    )
}
