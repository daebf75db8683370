import FluentKit
import Foundation

/// A person who owns instances and may sign in. `userID` is the Skyport `userId` clients know them by.
package final class User: Model, @unchecked Sendable {
    package static let schema = "users"

    @ID(key: .id) package var id: UUID?
    @Field(key: "user_id") package var userID: String
    @Field(key: "username") package var username: String
    /// Lowercased username: the unique key, so `Alice` and `alice` are one user.
    @Field(key: "username_key") package var usernameKey: String
    @Field(key: "email") package var email: String
    @Field(key: "email_key") package var emailKey: String
    @Field(key: "password_hash") package var passwordHash: String
    @Field(key: "admin") package var admin: Bool
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    /// The TOTP secret once two-factor sign-in is on, sealed by the panel key (``UserStore/totpSecret(of:)``
    /// opens it); nil while it is off.
    @OptionalField(key: "totp_secret") var sealedTOTPSecret: String?
    /// The last 30-second step whose code was accepted: a code is never accepted twice.
    @OptionalField(key: "totp_last_step") package var totpLastStep: Int?
    /// Digests of the unused recovery codes, as a JSON array.
    @OptionalField(key: "recovery_codes") package var recoveryCodes: String?
    /// Raised when the password changes or the user is signed out everywhere: older sessions end.
    @OptionalField(key: "session_epoch") package var sessionEpoch: Int?
    /// bcrypt of a password for SFTP alone, when the user set one (``SFTPCredentials``).
    @OptionalField(key: "sftp_password_hash") var sftpPasswordHash: String?

    package init() {}

    /// Whether signing in takes a TOTP or recovery code after the password.
    package var hasTwoFactor: Bool { sealedTOTPSecret != nil }

    static let totpSecretColumn = "users.totp_secret"

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
