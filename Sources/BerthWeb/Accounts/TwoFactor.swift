import BerthHTTP
import BerthPanel
import Foundation
import HummingbirdOTP

/// TOTP two-factor sign-in (RFC 6238, 30-second steps, 6 digits, as every authenticator app expects),
/// with single-use recovery codes for a lost phone.
enum TwoFactor {
    /// A new shared secret: 20 random characters of 64 (120 bits). The key is their 20 bytes, as
    /// HummingbirdOTP reads it: the length RFC 4226 recommends, which an app shows as 32 base32 characters.
    static func newSecret() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }

    /// The `otpauth://` address an authenticator app scans.
    static func enrolmentURL(secret: String, username: String) -> String {
        TOTP(secret: secret).createAuthenticatorURL(label: "Berth:\(username)", issuer: "Berth")
    }

    /// The secret in the base32 form apps take when typed in by hand, in groups of four to read and type.
    static func displayedSecret(_ enrolmentURL: String) -> String {
        let secret = URLComponents(string: enrolmentURL)?.queryItems?.first { $0.name == "secret" }?.value ?? ""
        return stride(from: 0, to: secret.count, by: 4).map { start in
            String(secret.dropFirst(start).prefix(4))
        }.joined(separator: " ")
    }

    /// The time step whose code `code` is, if it is the code of the current step or one either side
    /// (clocks drift) and later than `lastUsedStep`: a code that was accepted once is never accepted again.
    static func acceptedStep(for code: String, secret: String, lastUsedStep: Int?, now: Date = Date()) -> Int? {
        let digits = code.filter(\.isNumber)
        guard digits.count == 6, let presented = Int(digits) else { return nil }
        let current = Int(now.timeIntervalSince1970) / 30
        let generator = HOTP(secret: secret)
        for step in current - 1...current + 1 where step > (lastUsedStep ?? Int.min) {
            if generator.compute(counter: UInt64(step)) == presented { return step }
        }
        return nil
    }

    /// Ten new recovery codes (shown once) and the JSON list of their digests (stored).
    static func newRecoveryCodes() -> (codes: [String], stored: String) {
        let codes = (0..<10).map { _ in
            let digits = Secrets.generate()
            return "\(digits.prefix(5))-\(digits.dropFirst(5).prefix(5))"
        }
        let digests = codes.map { Secrets.digest($0) }
        let stored = (try? String(decoding: JSONEncoder().encode(digests), as: UTF8.self)) ?? "[]"
        return (codes, stored)
    }

    /// The stored list without `code`, if `code` is one of the unused recovery codes.
    static func redeem(_ code: String, stored: String?) -> String? {
        let normalized = code.lowercased().trimmingCharacters(in: .whitespaces)
        guard let stored, let digests = try? JSONDecoder().decode([String].self, from: Data(stored.utf8)) else { return nil }
        let presented = Secrets.digest(normalized)
        guard let index = digests.firstIndex(where: { Secrets.constantTimeEquals($0, presented) }) else { return nil }
        var remaining = digests
        remaining.remove(at: index)
        return (try? String(decoding: JSONEncoder().encode(remaining), as: UTF8.self)) ?? "[]"
    }

    static func remainingRecoveryCodes(_ stored: String?) -> Int {
        guard let stored, let digests = try? JSONDecoder().decode([String].self, from: Data(stored.utf8)) else { return 0 }
        return digests.count
    }
}
