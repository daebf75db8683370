import FluentKit
import Foundation

/// A person who owns instances and may sign in. `userID` is the Skyport `userId` clients know them by.
final class User: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: String
    @Field(key: "username") var username: String
    /// Lowercased username: the unique key, so `Alice` and `alice` are one user.
    @Field(key: "username_key") var usernameKey: String
    @Field(key: "email") var email: String
    @Field(key: "email_key") var emailKey: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "admin") var admin: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    /// The TOTP secret once two-factor sign-in is on; nil while it is off.
    @OptionalField(key: "totp_secret") var totpSecret: String?
    /// The last 30-second step whose code was accepted: a code is never accepted twice.
    @OptionalField(key: "totp_last_step") var totpLastStep: Int?
    /// Digests of the unused recovery codes, as a JSON array.
    @OptionalField(key: "recovery_codes") var recoveryCodes: String?
    /// Raised when the password changes or the user is signed out everywhere: older sessions end.
    @OptionalField(key: "session_epoch") var sessionEpoch: Int?

    init() {}

    init(userID: String, username: String, email: String, passwordHash: String, admin: Bool) {
        self.userID = userID
        self.username = username
        self.usernameKey = username.lowercased()
        self.email = email
        self.emailKey = email.lowercased()
        self.passwordHash = passwordHash
        self.admin = admin
    }
}
