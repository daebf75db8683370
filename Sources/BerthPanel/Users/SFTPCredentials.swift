import FluentKit
import Foundation

/// What a user signs in to SFTP with besides the panel password: public keys (ed25519 and ECDSA) and a
/// password for SFTP alone. An account with a second factor needs one of them: its panel password alone
/// would let a stolen password past the code.
package struct SFTPCredentials: Sendable {
    let database: PanelDatabase

    /// Keys one user may keep: their machines, not a keyring.
    package static let keysPerUser = 20

    /// A key as the account page lists it.
    package struct KeyView: Sendable {
        package let id: String
        package let name: String
        package let fingerprint: String
        package let createdAt: Date?
    }

    package func keys(of user: User) async throws -> [KeyView] {
        try await SFTPKey.query(on: database.db()).filter(\.$userID == user.userID).sort(\.$createdAt).all().map {
            KeyView(id: $0.id?.uuidString.lowercased() ?? "", name: $0.name, fingerprint: $0.fingerprint, createdAt: $0.createdAt)
        }
    }

    /// Adds the key `text` (a line of a `.pub` file) as `name`; refuses one that is not ed25519 or ECDSA,
    /// one the user has already, and more than ``keysPerUser``.
    package func addKey(named name: String, _ text: String, for user: User) async throws -> SSHPublicKey {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 64, !name.contains(where: \.isNewline) else {
            throw PanelError.invalid("name the key (up to 64 characters), e.g. the machine it is on")
        }
        let key = try SSHPublicKey(text)
        let existing = try await SFTPKey.query(on: database.db()).filter(\.$userID == user.userID).all()
        guard !existing.contains(where: { $0.fingerprint == key.fingerprint }) else { throw PanelError.conflict("you added this key already") }
        guard existing.count < Self.keysPerUser else { throw PanelError.invalid("you have \(Self.keysPerUser) keys already; remove one first") }
        do {
            try await SFTPKey(userID: user.userID, name: name, key: key).create(on: database.db())
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw PanelError.conflict("you added this key already")
        }
        return key
    }

    /// Removes the user's key `id`; another user's is not found.
    package func removeKey(_ id: String, of user: User) async throws {
        guard let uuid = UUID(uuidString: id),
            let key = try await SFTPKey.query(on: database.db()).filter(\.$id == uuid).filter(\.$userID == user.userID).first()
        else {
            throw PanelError.notFound("you have no such key")
        }
        try await key.delete(on: database.db())
    }

    /// Whether the key a client offered (`type base64`) is one of the user's.
    func holds(_ offered: String, of user: User) async throws -> Bool {
        guard let key = try? SSHPublicKey(offered) else { return false }
        return try await SFTPKey.query(on: database.db()).filter(\.$userID == user.userID).filter(\.$publicKey == key.line).first() != nil
    }

    /// Sets the user's SFTP password, or with nil removes it; the same rules as every password.
    package func setPassword(_ password: String?, of user: User) async throws {
        if let password {
            try UserStore.checkPassword(password, of: user.username)
            user.sftpPasswordHash = try await Passwords.hash(password)
        } else {
            user.sftpPasswordHash = nil
        }
        try await user.save(on: database.db())
    }
}

extension User {
    package var hasSFTPPassword: Bool { sftpPasswordHash != nil }
}
