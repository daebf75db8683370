import FluentKit
import Foundation

/// One web session as stored: found by a digest of its id, so the table never holds a usable session id.
final class SessionRecord: Model, @unchecked Sendable {
    static let schema = "web_sessions"

    @ID(custom: "key_digest", generatedBy: .user) var id: String?
    /// The session's JSON.
    @Field(key: "value") var value: String
    @OptionalField(key: "expires_at") var expiresAt: Date?

    init() {}

    init(keyDigest: String, value: String, expiresAt: Date?) {
        id = keyDigest
        self.value = value
        self.expiresAt = expiresAt
    }
}
