import BerthHTTP
import Crypto
import Foundation
import Hummingbird

/// The form token of a visitor who has not given a right password yet. It lives in a cookie the panel
/// signed (`token.signature`, HMAC-SHA256 under a key derived from the panel key), not in the database, so
/// loading the sign-in page, however often, writes nothing; a session row exists only after the password
/// step. A cookie someone else set is worth nothing without the signature, and the token only ever
/// protects the sign-in forms.
struct VisitorForms: Sendable {
    static let cookieName = "berth_form"

    let key: SymmetricKey
    let secureCookies: Bool

    /// The token in the request's cookie, when the panel signed it.
    func token(in request: Request) -> String? {
        guard let value = request.cookies[Self.cookieName]?.value else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let signature = Self.bytes(fromHex: parts[1]),
            HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: Data(parts[0].utf8), using: key)
        else { return nil }
        return String(parts[0])
    }

    /// The cookie that carries `token` to the browser until it closes.
    func cookie(for token: String) -> Cookie {
        let signature = Secrets.hex(HMAC<SHA256>.authenticationCode(for: Data(token.utf8), using: key))
        return Cookie(name: Self.cookieName, value: "\(token).\(signature)", path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax)
    }

    private static func bytes(fromHex text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}
