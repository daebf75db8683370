import FluentKit
import Foundation

/// A key for the `/api`. Only a digest of its secret part is kept; the key itself is shown once.
///
/// A key reads `berth_<lookup>_<secret>`: the lookup finds the row, and the secret's digest is then
/// compared in constant time, so the database lookup never depends on the secret.
package final class APIKey: Model, @unchecked Sendable {
    package static let schema = "api_keys"

    @ID(key: .id) package var id: UUID?
    @Field(key: "name") package var name: String
    @Field(key: "lookup") var lookup: String
    @Field(key: "secret_digest") var secretDigest: String
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @OptionalField(key: "revoked_at") package var revokedAt: Date?
    /// ``APIKeyScopes`` as text.
    @Field(key: "scopes") var scopesText: String
    /// The `userId` of the user the key acts as; nil for a key of the panel itself.
    @OptionalField(key: "user_id") package var ownerUserID: String?
    /// Seconds since 1970 of the key's last use, written at most once a minute (``APIKeyStore/lastUseResolution``).
    @OptionalField(key: "last_used_at") var lastUsedSeconds: Double?

    package init() {}

    init(name: String, lookup: String, secretDigest: String, scopes: APIKeyScopes, ownerUserID: String?) {
        self.name = name
        self.lookup = lookup
        self.secretDigest = secretDigest
        self.scopesText = scopes.description
        self.ownerUserID = ownerUserID
    }

    package var scopes: APIKeyScopes { APIKeyScopes(stored: scopesText) }

    package var lastUsedAt: Date? { lastUsedSeconds.map(Date.init(timeIntervalSince1970:)) }
}
