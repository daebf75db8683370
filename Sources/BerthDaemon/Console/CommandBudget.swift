import BerthHTTP

/// How many messages one console socket may send: a bucket that refills at a steady rate and holds a
/// burst, generous enough for people and scripts, and a wall against a viewer that floods the server.
struct CommandBudget: Sendable {
    let perSecond: Double
    let burst: Double
    private var tokens: Double
    private var refilled: ContinuousClock.Instant

    init(perSecond: Int, now: ContinuousClock.Instant = .now) {
        self.perSecond = Double(perSecond)
        burst = Double(max(perSecond * 2, 1))
        tokens = burst
        refilled = now
    }

    /// Takes one message's worth; false when the socket must wait.
    mutating func take(now: ContinuousClock.Instant = .now) -> Bool {
        tokens = min(burst, tokens + (now - refilled).inSeconds * perSecond)
        refilled = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
