import Crypto
import Foundation

/// A public key's fingerprint as OpenSSH prints it (`ssh-keygen -l`, a client's first-connect prompt):
/// `SHA256:` and the unpadded base64 of the digest of the key's wire form. One formula for the node's host
/// key, which users compare on first connect, and the keys users add, which the account page lists.
public enum SSHKeyFingerprint {
    /// The fingerprint of the key whose wire form (the base64 field of its `.pub` line, decoded) is `blob`.
    public static func of(keyBlob blob: Data) -> String {
        "SHA256:" + Data(SHA256.hash(data: blob)).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }
}
