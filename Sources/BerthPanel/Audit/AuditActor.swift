/// Who made a change, as the audit log names them.
public enum AuditActor: Sendable, Equatable {
    /// A signed-in user of the web UI, by username.
    case user(String)
    /// An API key, by name.
    case apiKey(String)
    /// Someone not signed in: a refused sign-in, with the account they named as its target.
    case visitor
}
