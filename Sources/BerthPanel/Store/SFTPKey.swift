import FluentKit
import Foundation

/// A public key a user signs in to SFTP with, in OpenSSH's one-line form without its comment.
final class SFTPKey: Model, @unchecked Sendable {
    static let schema = "sftp_keys"

    @ID(key: .id) var id: UUID?
    /// The owner's Skyport `userId`.
    @Field(key: "user_id") var userID: String
    @Field(key: "name") var name: String
    /// `ssh-ed25519 AAAA…`: the type and the key, what a node sends when a client offers it.
    @Field(key: "public_key") var publicKey: String
    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    @Field(key: "fingerprint") var fingerprint: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(userID: String, name: String, key: SSHPublicKey) {
        self.userID = userID
        self.name = name
        publicKey = key.line
        fingerprint = key.fingerprint
    }
}
