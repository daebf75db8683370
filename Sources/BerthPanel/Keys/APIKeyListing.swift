import Foundation

/// An API key as the command line and the admin page list it: never the key itself, which is not kept.
public struct APIKeyListing: Sendable {
    public let id: String
    public let name: String
    public let scopes: String
    /// The `userId` the key acts as; nil for a key of the panel itself.
    public let owner: String?
    public let created: Date?
    /// To the minute (``APIKeyStore/lastUseResolution``); nil when never used.
    public let lastUsed: Date?
    public let revoked: Bool

    init(_ key: APIKey) {
        id = key.id?.uuidString.lowercased() ?? ""
        name = key.name
        scopes = key.scopes.description
        owner = key.ownerUserID
        created = key.createdAt
        lastUsed = key.lastUsedAt
        revoked = key.revokedAt != nil
    }
}
