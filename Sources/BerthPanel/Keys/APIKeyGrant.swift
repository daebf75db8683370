import BerthHTTP

/// What the API key that authenticated a request may do, and as whom.
public struct APIKeyGrant: Sendable {
    package let name: String
    package let scopes: APIKeyScopes
    /// The user the key acts as, or nil for a key of the panel itself (a billing tool's).
    package let owner: Owner?

    package struct Owner: Sendable {
        package let userID: String
        package let admin: Bool
    }

    /// The `userId` whose instances alone the key reaches (an owner who is not an admin), or nil when it
    /// reaches everything its scopes allow.
    package var onlyUserID: String? { owner?.admin == false ? owner?.userID : nil }

    /// Throws the 403 that says what the key lacks, unless it may do `access` on `resource`.
    package func require(_ access: APIKeyScopes.Access, on resource: APIKeyScopes.Resource) throws {
        guard scopes.allow(access, on: resource) else {
            throw APIError(.forbidden, "the API key \(name) may not \(access.rawValue) \(resource.rawValue); its scopes are \(scopes)")
        }
        guard onlyUserID == nil || resource == .instances else {
            throw APIError(.forbidden, "the API key \(name) acts as a user and reaches only that user's instances")
        }
    }

    /// Throws a 403 for what only the panel's own keys (or an admin's) do, such as deploying or suspending.
    package func requireOperator(_ action: String) throws {
        guard onlyUserID == nil else {
            throw APIError(.forbidden, "the API key \(name) acts as a user, who may not \(action)")
        }
    }
}
