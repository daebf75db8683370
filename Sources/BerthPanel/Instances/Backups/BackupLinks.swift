import Crypto
import Foundation

/// Short-lived links that download one backup without an API key or a session: for a browser, `curl` on
/// the server being moved, or a billing tool handing a customer their files. A link names the backup and
/// when it stops working, signed with a key of the panel's (every panel process on the database has it);
/// it cannot be stretched or pointed at another backup without the key.
struct BackupLinks: Sendable {
    let key: SymmetricKey

    /// How long a link works.
    static let lifetime: TimeInterval = 15 * 60

    /// `<backup>.<expiry>.<signature>`, all of it URL-safe.
    func token(for backup: String, expiring expiry: Date) -> String {
        let seconds = Int(expiry.timeIntervalSince1970)
        return "\(backup.lowercased()).\(seconds).\(Self.base64URL(signature(backup.lowercased(), seconds)))"
    }

    /// The backup a token names, while it works; nil for a token that is malformed, forged or expired.
    func backup(in token: String, at now: Date = Date()) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let uuid = UUID(uuidString: parts[0]), let seconds = Int(parts[1]),
            let mac = Self.bytes(fromBase64URL: parts[2])
        else { return nil }
        let backup = uuid.uuidString.lowercased()
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Self.message(backup, seconds), using: key),
            Double(seconds) > now.timeIntervalSince1970
        else { return nil }
        return backup
    }

    private func signature(_ backup: String, _ seconds: Int) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Self.message(backup, seconds), using: key))
    }

    private static func message(_ backup: String, _ seconds: Int) -> Data {
        Data("backup-download:\(backup):\(seconds)".utf8)
    }

    private static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func bytes(fromBase64URL text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
