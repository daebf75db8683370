import BerthHTTP
import BerthPanel
import Foundation

/// What the panel remembers about one browser between requests. Stored server-side (see
/// ``DatabasePersistDriver``); the browser holds only a random id in an HttpOnly, SameSite cookie.
public struct WebSession: Codable, Sendable {
    /// Sent back with every form; a state-changing request without it is refused.
    var csrfToken: String
    /// The signed-in user. Nil for visitors, and while a second factor is still owed.
    var userID: UUID?
    /// The user's session epoch at sign-in; a later password change raises it and ends this session.
    var epoch: Int = 0
    /// The user whose password was right, and when, while the session waits for the TOTP code.
    var awaitingSecondFactor: UUID?
    var awaitingSince: Date?
    /// Where to go once the second factor is given.
    var returnTo: String?
    /// A TOTP secret being enrolled, sealed by the panel key (`UserStore.sealEnrolment`), until the user
    /// proves it with a code.
    var enrollingSecret: String?
    /// One message for the next page shown, after a redirect.
    var flash: Flash?
    /// A secret a form made, for the page its redirect leads to (see ``ShownOnce``).
    var shownOnce: ShownOnce?

    struct Flash: Codable, Sendable {
        var isError: Bool
        var message: String
    }

    static func visitor() -> WebSession {
        WebSession(csrfToken: Secrets.generate())
    }

    /// A new session for a user who has just proved who they are: new id (by the caller), new CSRF token,
    /// nothing carried over from the visitor's session.
    static func signedIn(_ user: User) -> WebSession {
        WebSession(csrfToken: Secrets.generate(), userID: user.id, epoch: user.sessionEpoch ?? 0)
    }
}
