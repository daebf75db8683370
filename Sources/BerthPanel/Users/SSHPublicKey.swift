import BerthHTTP
import Foundation

/// A public key as a user pastes it from `~/.ssh/id_ed25519.pub`: checked, and reduced to its type and key
/// (the comment dropped), with OpenSSH's fingerprint. Only the kinds the nodes' SSH library verifies are
/// taken: ed25519 and ECDSA. RSA is refused with the reason, which a user would otherwise only meet as a
/// failed sign-in.
package struct SSHPublicKey: Sendable, Equatable {
    /// `type base64`.
    package let line: String
    package let fingerprint: String

    package static let supportedTypes = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"]

    package init(_ text: String) throws {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(whereSeparator: \.isWhitespace)
        guard parts.count >= 2 else {
            throw PanelError.invalid("a public key is one line: its type, the key, and maybe a comment (ssh-ed25519 AAAA… you@laptop)")
        }
        let type = String(parts[0])
        if type.hasPrefix("ssh-rsa") || type.hasPrefix("rsa-") {
            throw PanelError.invalid(
                "RSA keys are not supported by the SSH library Berth's nodes use; make an ed25519 key (ssh-keygen -t ed25519) or sign in with a password"
            )
        }
        guard Self.supportedTypes.contains(type) else {
            throw PanelError.invalid(
                "\(type.prefix(40)) keys are not supported; use ed25519 or ECDSA (\(Self.supportedTypes.joined(separator: ", ")))"
            )
        }
        guard let blob = Data(base64Encoded: String(parts[1])), Self.namedType(in: blob) == type else {
            throw PanelError.invalid("the key is not a valid \(type) key: paste the whole line of the .pub file")
        }
        line = "\(type) \(blob.base64EncodedString())"
        fingerprint = SSHKeyFingerprint.of(keyBlob: blob)
    }

    /// The type the key's wire form names first (an SSH string: a 32-bit length, then the bytes).
    private static func namedType(in blob: Data) -> String? {
        let bytes = [UInt8](blob)
        guard bytes.count > 4 else { return nil }
        let length = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
        guard length > 0, length <= 64, bytes.count > 4 + length else { return nil }
        return String(bytes: bytes[4..<(4 + length)], encoding: .utf8)
    }
}
