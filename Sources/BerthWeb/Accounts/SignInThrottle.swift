import BerthPanel

/// Slows down password guessing twice over: per client address (one noisy client cannot lock out
/// everyone) and per account (many addresses cannot take turns guessing one password).
struct SignInThrottle: Sendable {
    let perClient: FailedAuthenticationLimiter
    let perAccount: FailedAuthenticationLimiter

    init(clientLimit: Int) {
        perClient = FailedAuthenticationLimiter(limit: clientLimit, window: .seconds(60))
        perAccount = FailedAuthenticationLimiter(limit: 10, window: .seconds(5 * 60))
    }

    /// Why this attempt is refused before it is even checked, if it is.
    func refusal(client: String, account: String) -> String? {
        if perClient.isBlocked(client) { return "Too many failed sign-ins from your address. Wait a minute and try again." }
        if perAccount.isBlocked(account) { return "Too many failed sign-ins for this account. Wait a few minutes and try again." }
        return nil
    }

    func recordFailure(client: String, account: String) {
        perClient.recordFailure(client)
        perAccount.recordFailure(account)
    }
}
