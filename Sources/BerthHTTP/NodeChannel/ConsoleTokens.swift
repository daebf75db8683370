import BerthProtocol
import Crypto
import Foundation
import JWTKit

/// Short-lived console tokens: HS256-signed with the node token, scoped to one instance and one purpose.
/// The panel mints them for a viewer it has checked; the daemon accepts nothing else on its console socket.
public struct ConsoleTokens: Sendable {
    private let keys: JWTKeyCollection

    public init(nodeToken: String) async {
        keys = JWTKeyCollection()
        // A key of its own, derived from the node token: 32 bytes whatever the token's length, and never
        // the token itself, so a console token says nothing about the secret that signs the node's requests.
        let key = SHA256.hash(data: Data("berth console tokens v1:\(nodeToken)".utf8))
        await keys.add(hmac: HMACKey(from: Array(key)), digestAlgorithm: .sha256)
    }

    public func sign(_ claims: ConsoleTokenClaims) async throws -> String {
        try await keys.sign(ConsoleTokenPayload(claims: claims))
    }

    /// The claims, if the token is genuine, unexpired, for the console, and for this instance.
    public func verify(_ token: String, instanceID: String) async throws -> ConsoleTokenClaims {
        let claims = try await keys.verify(token, as: ConsoleTokenPayload.self).claims
        guard claims.purpose == "console" else { throw ConsoleTokenError.wrongPurpose }
        guard claims.instanceID == instanceID else { throw ConsoleTokenError.wrongInstance }
        return claims
    }
}

public enum ConsoleTokenError: Error {
    case wrongPurpose, wrongInstance, expired
}

/// The claims as jwt-kit signs and checks them; the expiry is checked on every verification.
struct ConsoleTokenPayload: JWTPayload {
    let claims: ConsoleTokenClaims

    init(claims: ConsoleTokenClaims) {
        self.claims = claims
    }

    init(from decoder: any Decoder) throws {
        claims = try ConsoleTokenClaims(from: decoder)
    }

    func encode(to encoder: any Encoder) throws {
        try claims.encode(to: encoder)
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {
        guard Double(claims.expires) > Date().timeIntervalSince1970 else { throw ConsoleTokenError.expired }
    }
}
