import Crypto
import Foundation

/// Secrets Berth makes and checks: API keys, node tokens. Made from the system's random source,
/// stored and compared as SHA-256 digests.
public enum Secrets {
    /// 256 random bits as 64 hex characters.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return hex((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// Whether `text` looks like what ``generate()`` makes: 64 lowercase hex digits. Links that carry a
    /// secret check this before anything is looked up.
    public static func isGenerated(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// The SHA-256 digest of a secret, as lowercase hex: what gets stored instead of the secret.
    public static func digest(_ secret: String) -> String {
        hex(SHA256.hash(data: Data(secret.utf8)))
    }

    /// Lowercase hex. Not `String(format:)`: the panel digests the API key of every request, and
    /// formatting byte by byte was a tenth of a request's time.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Whether two strings are equal, in time that depends only on their lengths, never on where they differ.
    public static func constantTimeEquals(_ left: String, _ right: String) -> Bool {
        let left = Array(left.utf8)
        let right = Array(right.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices {
            difference |= left[index] ^ right[index]
        }
        return difference == 0
    }
}
