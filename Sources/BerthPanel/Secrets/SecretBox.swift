import Crypto
import Foundation

/// Seals the secrets the panel must keep whole (each node's two channel secrets, users' TOTP secrets)
/// before they reach the database, so a copy of the database or a backup of it without `panel.key` holds
/// none of them. AES-256-GCM under a key derived from the panel key; what was sealed for one column cannot
/// be opened as another's (the column is the authenticated data).
package struct SecretBox: Sendable {
    private let key: SymmetricKey
    static let prefix = "sealed:v1:"

    package init(panelKey: PanelKey) {
        key = panelKey.derived(for: "stored secrets")
    }

    /// `secret` as the database keeps it in `column`.
    package func seal(_ secret: String, for column: String) throws -> String {
        let sealed = try AES.GCM.seal(Data(secret.utf8), using: key, authenticating: Data(column.utf8))
        guard let combined = sealed.combined else { throw PanelError.corrupt("AES-GCM gave no combined form") }
        return Self.prefix + combined.base64EncodedString()
    }

    /// The secret in a value of `column`. A value from before sealing is returned as it is (the migration
    /// `seal-stored-secrets` seals those); one this key cannot open means `panel.key` is not the one the
    /// database was written with.
    package func open(_ stored: String, of column: String) throws -> String {
        guard stored.hasPrefix(Self.prefix) else { return stored }
        guard let combined = Data(base64Encoded: String(stored.dropFirst(Self.prefix.count))),
            let box = try? AES.GCM.SealedBox(combined: combined),
            let opened = try? AES.GCM.open(box, using: key, authenticating: Data(column.utf8))
        else {
            throw PanelError.corrupt("a secret in \(column) cannot be opened with this panel.key; restore the data directory's panel.key")
        }
        return String(decoding: opened, as: UTF8.self)
    }

    /// Whether `stored` is sealed already.
    static func isSealed(_ stored: String) -> Bool { stored.hasPrefix(prefix) }
}
