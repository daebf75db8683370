import FluentKit

/// Seals the secrets stored in the clear before the panel key existed: each node's token and callback
/// key, and users' TOTP secrets. Reverting opens them again, for a panel version that cannot.
struct SealStoredSecrets: AsyncMigration {
    let box: SecretBox
    var name: String { "seal-stored-secrets" }

    func prepare(on database: any Database) async throws {
        try await reseal(on: database) { stored, column in
            SecretBox.isSealed(stored) ? stored : try box.seal(stored, for: column)
        }
    }

    func revert(on database: any Database) async throws {
        try await reseal(on: database) { stored, column in try box.open(stored, of: column) }
    }

    /// Reads and writes only the columns it changes: the models gain columns in later migrations, which
    /// do not exist yet when this one runs.
    private func reseal(on database: any Database, _ change: (String, String) throws -> String) async throws {
        for node in try await Node.query(on: database).field(\.$id).field(\.$sealedToken).field(\.$sealedCallbackKey).all() {
            try await Node.query(on: database).filter(\.$id == node.requireID())
                .set(\.$sealedToken, to: try change(node.sealedToken, Node.tokenColumn))
                .set(\.$sealedCallbackKey, to: try change(node.sealedCallbackKey, Node.callbackKeyColumn))
                .update()
        }
        let users = try await User.query(on: database).field(\.$id).field(\.$sealedTOTPSecret).filter(\.$sealedTOTPSecret != nil).all()
        for user in users {
            guard let secret = user.sealedTOTPSecret else { continue }
            try await User.query(on: database).filter(\.$id == user.requireID())
                .set(\.$sealedTOTPSecret, to: try change(secret, User.totpSecretColumn))
                .update()
        }
    }
}
