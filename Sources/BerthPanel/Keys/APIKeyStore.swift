import BerthHTTP
import FluentKit
import Foundation
import SQLKit

/// Makes, checks, lists and revokes API keys.
package struct APIKeyStore: Sendable {
    let database: PanelDatabase

    static let prefix = "berth_"

    /// A new key; the returned string is the only time the whole key exists outside the client.
    package func create(name: String) async throws -> (key: APIKey, secret: String) {
        let lookup = String(Secrets.generate().prefix(12))
        let secret = Secrets.generate()
        let key = APIKey(name: name, lookup: lookup, secretDigest: Secrets.digest(secret))
        try await key.save(on: database.db())
        return (key, "\(Self.prefix)\(lookup)_\(secret)")
    }

    /// The name of the key, when `presented` is a valid, unrevoked key.
    func authenticate(_ presented: String) async throws -> String? {
        guard presented.hasPrefix(Self.prefix) else { return nil }
        let parts = presented.dropFirst(Self.prefix.count).split(separator: "_", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        // Every /api request passes here, so it is one indexed lookup in plain SQL, without the model layer.
        // It still asks the database each time: a key revoked by any process stops working at once.
        let query: SQLQueryString = "SELECT name, secret_digest FROM api_keys WHERE lookup = \(bind: String(parts[0])) AND revoked_at IS NULL"
        guard let key = try await database.sql().raw(query).first(decoding: ActiveKey.self) else { return nil }
        guard Secrets.constantTimeEquals(Secrets.digest(String(parts[1])), key.secretDigest) else { return nil }
        return key.name
    }

    /// What a check reads of an unrevoked key.
    private struct ActiveKey: Decodable {
        let name: String
        let secretDigest: String

        enum CodingKeys: String, CodingKey {
            case name
            case secretDigest = "secret_digest"
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
        return true
    }
}
