import BerthHTTP
import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import SQLKit

/// Lets a request into `/api` only with a valid, unrevoked `x-api-key`. Never creates a session.
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = PanelRequestContext

    let keys: APIKeyStore
    let limiter: FailedAuthenticationLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let client = context.clientAddress
        guard !limiter.isBlocked(client) else {
            throw APIError(.tooManyRequests, "too many failed attempts from this address; wait a minute")
        }
        guard let presented = request.headers[HTTPField.Name.apiKey], !presented.isEmpty else {
            limiter.recordFailure(client)
            throw APIError(.unauthorized, "missing API key: send it in the x-api-key header")
        }
        guard let key = try await keys.authenticate(presented) else {
            limiter.recordFailure(client)
            throw APIError(.unauthorized, "invalid API key")
        }
        var context = context
        context.apiKeyName = key
        return try await next(request, context)
    }
}

/// Makes, checks, lists and revokes API keys.
struct APIKeyStore: Sendable {
    let database: PanelDatabase

    static let prefix = "berth_"

    /// A new key; the returned string is the only time the whole key exists outside the client.
    func create(name: String) async throws -> (key: APIKey, secret: String) {
        let lookup = String(Secrets.generate().prefix(12))
        let secret = Secrets.generate()
        let key = APIKey(name: name, lookup: lookup, secretDigest: Secrets.digest(secret))
        try await key.save(on: database.database)
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
        guard let key = try await database.sql.raw(query).first(decoding: ActiveKey.self) else { return nil }
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

    func list() async throws -> [APIKey] {
        try await APIKey.query(on: database.database).sort(\.$createdAt).all()
    }

    /// Revokes the key with this id or name; true when one was revoked.
    func revoke(_ idOrName: String) async throws -> Bool {
        let keys = try await APIKey.query(on: database.database).filter(\.$revokedAt == nil).all()
        guard let key = keys.first(where: { $0.id?.uuidString.lowercased() == idOrName.lowercased() || $0.name == idOrName }) else {
            return false
        }
        key.revokedAt = Date()
        try await key.save(on: database.database)
        return true
    }
}

extension HTTPField.Name {
    /// `x-api-key`, as Skyport's clients send it. The literal is a valid field name, so this never fails.
    static let apiKey = HTTPField.Name("x-api-key") ?? .authorization
}
