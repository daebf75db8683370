import Crypto
import Foundation
import HTTPTypes

/// How a daemon's callback to its panel proves where it comes from without sending a secret: an
/// HMAC-SHA256, keyed with the node's ``NodeCredentials/toPanel``, over the method, the path, the time,
/// a random nonce and the body's digest. Someone who records a callback learns no secret, cannot change
/// it, cannot send it again (the panel keeps each nonce for longer than a callback stays fresh) and
/// cannot send it late.
public struct CallbackSignature: Sendable, Equatable {
    /// Which node signs: the digest of its key, which names the key without revealing it.
    public var keyID: String
    /// Seconds since 1970 when the callback was signed.
    public var date: Int64
    /// 128 random bits, as hex.
    public var nonce: String
    public var signature: String

    /// How far a callback's date may be from the panel's clock, either way.
    public static let freshness: Int64 = 300

    /// Signs a callback about to be sent.
    public static func sign(method: String, path: String, body: some DataProtocol, key: String, now: Date = Date()) -> CallbackSignature {
        var generator = SystemRandomNumberGenerator()
        let nonce = Secrets.hex((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        let date = Int64(now.timeIntervalSince1970)
        return CallbackSignature(
            keyID: Secrets.digest(key),
            date: date,
            nonce: nonce,
            signature: mac(method: method, path: path, date: date, nonce: nonce, body: body, key: key)
        )
    }

    public init(keyID: String, date: Int64, nonce: String, signature: String) {
        self.keyID = keyID
        self.date = date
        self.nonce = nonce
        self.signature = signature
    }

    /// Reads the four fields; nil when one is missing or malformed.
    public init?(headers: HTTPFields) {
        guard let keyID = headers[.berthKey], let dateText = headers[.berthDate], let date = Int64(dateText),
            let nonce = headers[.berthNonce], nonce.utf8.count == 32,
            let signature = headers[.berthSignature]
        else { return nil }
        self.init(keyID: keyID, date: date, nonce: nonce, signature: signature)
    }

    public var headerFields: [(HTTPField.Name, String)] {
        [(.berthKey, keyID), (.berthDate, String(date)), (.berthNonce, nonce), (.berthSignature, signature)]
    }

    /// Whether this signature is `key`'s over this request, and fresh at `now`. The nonce is the
    /// caller's to check: only the panel's database knows which ones were already used.
    public func isValid(method: String, path: String, body: some DataProtocol, key: String, now: Date = Date()) -> Bool {
        guard abs(Int64(now.timeIntervalSince1970) - date) <= Self.freshness else { return false }
        let expected = Self.mac(method: method, path: path, date: date, nonce: nonce, body: body, key: key)
        return Secrets.constantTimeEquals(expected, signature)
    }

    private static func mac(method: String, path: String, date: Int64, nonce: String, body: some DataProtocol, key: String) -> String {
        let bodyDigest = Secrets.hex(SHA256.hash(data: body))
        let text = ["berth-callback-v1", method, path, String(date), nonce, bodyDigest].joined(separator: "\n")
        let code = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data(key.utf8)))
        return Secrets.hex(code)
    }
}
