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

    package init() {}

    init(name: String, lookup: String, secretDigest: String) {
        self.name = name
        self.lookup = lookup
        self.secretDigest = secretDigest
    }
}
