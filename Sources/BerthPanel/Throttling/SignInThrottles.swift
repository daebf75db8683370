import BerthHTTP

/// Slows down password and second-factor guessing per client address (one noisy client) and per account
/// from one address (one client guessing one password), with waits that grow. Nothing counts per account
/// alone, so failing on purpose from elsewhere never locks the real owner out.
package struct SignInThrottles: Sendable {
    let fromClient: FailureThrottle
    let ofAccountFromClient: FailureThrottle

    init(database: PanelDatabase, clientLimit: Int) {
        fromClient = FailureThrottle(database: database, policy: .signInsFromClient(free: clientLimit))
        ofAccountFromClient = FailureThrottle(database: database, policy: .signInsOfAccountFromClient)
    }

    package struct Refusal: Sendable {
        package let message: String
        package let wait: Duration
    }

    /// Why this attempt is refused before it is even checked, if it is.
    package func refusal(client: String, account: String) async throws -> Refusal? {
        if let wait = try await fromClient.wait(for: Self.key(client: client)) {
            return Refusal(message: "Too many failed sign-ins from your address. Try again in \(Self.describe(wait)).", wait: wait)
        }
        if let wait = try await ofAccountFromClient.wait(for: Self.key(account: account, client: client)) {
            return Refusal(message: "Too many failed sign-ins for this account. Try again in \(Self.describe(wait)).", wait: wait)
        }
        return nil
    }

    package func recordFailure(client: String, account: String) async throws {
        try await fromClient.recordFailure(of: Self.key(client: client))
        try await ofAccountFromClient.recordFailure(of: Self.key(account: account, client: client))
    }

    /// The account's owner signed in from this address: their earlier typos no longer count.
    package func recordSuccess(client: String, account: String) async throws {
        try await ofAccountFromClient.forget(Self.key(account: account, client: client))
    }

    static func key(client: String) -> String { "sign-in from \(client)" }
    static func key(account: String, client: String) -> String { "sign-in as \(account) from \(client)" }

    private static func describe(_ wait: Duration) -> String {
        let seconds = wait.wholeSecondsRoundedUp
        return seconds < 120 ? "\(seconds) seconds" : "\((seconds + 59) / 60) minutes"
    }
}
