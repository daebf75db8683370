import BerthHTTP
import FluentKit
import Foundation
import SQLKit

/// Makes, checks, lists and revokes API keys.
package struct APIKeyStore: Sendable {
    let database: PanelDatabase
    /// Keys checked before, served without a database round trip while the grant epoch says they hold.
    let verified: VerifiedKeys

    static let prefix = "berth_"

    /// A new key; the returned string is the only time the whole key exists outside the client. A key
    /// with an owner acts as that user (`userId`), who must exist.
    package func create(name: String, scopes: APIKeyScopes = .admin, ownerUserID: String? = nil) async throws -> (key: APIKey, secret: String) {
        guard (1...100).contains(name.count) else { throw PanelError.invalid("the key's name must be 1 to 100 characters") }
        if let ownerUserID, try await User.query(on: database.db()).filter(\.$userID == ownerUserID).first() == nil {
            throw PanelError.notFound("no user with the userId \(ownerUserID) to own the key")
        }
        let lookup = String(Secrets.generate().prefix(12))
        let secret = Secrets.generate()
        let key = APIKey(name: name, lookup: lookup, secretDigest: Secrets.digest(secret), scopes: scopes, ownerUserID: ownerUserID)
        try await key.save(on: database.db())
        return (key, "\(Self.prefix)\(lookup)_\(secret)")
    }

    /// A key's last use is written when the one on record is older than this, so a busy key costs one
    /// write a minute, not one per request.
    static let lastUseResolution: Double = 60

    /// What the key may do, when `presented` is a valid, unrevoked key (of a user who still exists, if it
    /// has an owner). As strict as asking the database each time: a key revoked by any process, through
    /// any replica, is refused by every request that starts after the revocation returned (``GrantEpoch``).
    func authenticate(_ presented: String) async throws -> APIKeyGrant? {
        guard presented.hasPrefix(Self.prefix) else { return nil }
        let parts = presented.dropFirst(Self.prefix.count).split(separator: "_", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let lookup = String(parts[0])
        let presentedDigest = Secrets.digest(String(parts[1]))
        let now = Date().timeIntervalSince1970
        if let hit = verified.grant(lookup: lookup, secretDigest: presentedDigest, now: now) {
            if hit.writesLastUse { try await writeLastUse(of: lookup, at: now) }
            return hit.grant
        }
        // Taken before the read: a grant changed between it and the read's answer is not kept.
        let ticket = verified.ticket()
        // One indexed lookup in plain SQL, without the model layer: every request a cache miss sends here.
        let query: SQLQueryString = """
            SELECT k.name, k.secret_digest, k.scopes, k.user_id, k.last_used_at, u.admin AS owner_admin \
            FROM api_keys k LEFT JOIN users u ON u.user_id = k.user_id WHERE k.lookup = \(bind: lookup) AND k.revoked_at IS NULL
            """
        guard let key = try await database.sql().raw(query).first(decoding: ActiveKey.self) else { return nil }
        guard Secrets.constantTimeEquals(presentedDigest, key.secretDigest) else { return nil }
        let owner: APIKeyGrant.Owner?
        if let userID = key.userID {
            // The owner was deleted: the key acts as no one.
            guard let admin = key.ownerAdmin else { return nil }
            owner = APIKeyGrant.Owner(userID: userID, admin: admin)
        } else {
            owner = nil
        }
        var lastUseWritten = key.lastUsedAt ?? 0
        if now - lastUseWritten >= Self.lastUseResolution {
            try await writeLastUse(of: lookup, at: now)
            lastUseWritten = now
        }
        let grant = APIKeyGrant(name: key.name, scopes: APIKeyScopes(stored: key.scopes), owner: owner)
        if let ticket {
            verified.remember(.init(secretDigest: key.secretDigest, grant: grant, lastUseWritten: lastUseWritten), lookup: lookup, ticket: ticket)
        }
        return grant
    }

    private func writeLastUse(of lookup: String, at now: Double) async throws {
        try await database.sql().raw("UPDATE api_keys SET last_used_at = \(bind: now) WHERE lookup = \(bind: lookup)").run()
    }

    /// What a check reads of an unrevoked key.
    private struct ActiveKey: Decodable {
        let name: String
        let secretDigest: String
        let scopes: String
        let userID: String?
        let lastUsedAt: Double?
        let ownerAdmin: Bool?

        enum CodingKeys: String, CodingKey {
            case name, scopes
            case secretDigest = "secret_digest"
            case userID = "user_id"
            case lastUsedAt = "last_used_at"
            case ownerAdmin = "owner_admin"
        }
    }

    package func find(_ id: String) async throws -> APIKey? {
        guard let uuid = UUID(uuidString: id) else { return nil }
        return try await APIKey.find(uuid, on: database.db())
    }

    package func list() async throws -> [APIKey] {
        try await APIKey.query(on: database.db()).sort(\.$createdAt).all()
    }

    /// Revokes the key with this id or name; true when one was revoked.
    package func revoke(_ idOrName: String) async throws -> Bool {
        let keys = try await APIKey.query(on: database.db()).filter(\.$revokedAt == nil).all()
        guard let key = keys.first(where: { $0.id?.uuidString.lowercased() == idOrName.lowercased() || $0.name == idOrName }) else {
            return false
        }
        key.revokedAt = Date()
        try await key.save(on: database.db())
        try await GrantEpoch(database: database).awaitAcknowledgement()
        return true
    }
}
