import BerthHTTP
import Crypto
import Foundation
import NIOSSH

/// The key the node's SFTP server proves itself with: ed25519, made at the first start and kept in the
/// data directory (0600). A key file that is there but cannot be read stops the daemon instead of being
/// replaced: a new key would make every client warn of an attack, and hide one.
struct SFTPHostKey: Sendable {
    let privateKey: NIOSSHPrivateKey
    /// The public key as OpenSSH's `ssh-keygen -lf` and a client's first-connect prompt print it.
    let fingerprint: String

    static func loadOrCreate(at path: String) throws -> SFTPHostKey {
        let key: Curve25519.Signing.PrivateKey
        if FileManager.default.fileExists(atPath: path) {
            guard let text = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }),
                let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
                let stored = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
            else {
                throw SFTPHostKeyError(
                    "the SFTP host key at \(path) cannot be read; restore it from a backup, or delete it to make a new one "
                        + "(every client will then warn that the node's key changed)"
                )
            }
            key = stored
        } else {
            key = Curve25519.Signing.PrivateKey()
            let contents = Data((key.rawRepresentation.base64EncodedString() + "\n").utf8)
            // Made with its mode, so the key is never readable by others, not even for a moment.
            guard FileManager.default.createFile(atPath: path, contents: contents, attributes: [.posixPermissions: 0o600]) else {
                throw SFTPHostKeyError("the SFTP host key cannot be written to \(path)")
            }
        }
        let privateKey = NIOSSHPrivateKey(ed25519Key: key)
        return SFTPHostKey(privateKey: privateKey, fingerprint: Self.fingerprint(of: privateKey.publicKey))
    }

    /// As OpenSSH writes it, from the key's wire form: the base64 field of its one-line form.
    static func fingerprint(of key: NIOSSHPublicKey) -> String {
        let parts = String(openSSHPublicKey: key).split(separator: " ")
        return SSHKeyFingerprint.of(keyBlob: parts.count > 1 ? Data(base64Encoded: String(parts[1])) ?? Data() : Data())
    }
}

struct SFTPHostKeyError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
