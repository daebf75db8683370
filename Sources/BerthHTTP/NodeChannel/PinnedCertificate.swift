import Crypto
import NIOSSL

/// A node's TLS certificate as the panel pins it: the PEM the node presented in its first signed
/// heartbeat, and its SHA-256 fingerprint, which `berth daemon configure` prints for the operator to compare.
public struct PinnedCertificate: Sendable, Equatable {
    public let pem: String
    public let fingerprint: String

    /// Reads one PEM certificate; throws when it is not one.
    public init(pem: String) throws {
        let certificate = try NIOSSLCertificate(bytes: Array(pem.utf8), format: .pem)
        self.pem = pem
        self.fingerprint = Self.fingerprint(der: try certificate.toDERBytes())
    }

    /// `SHA256:` and the digest of the DER bytes as colon-separated hex pairs, as `openssl x509 -fingerprint -sha256` shows it.
    public static func fingerprint(der: [UInt8]) -> String {
        let hex = Secrets.hex(SHA256.hash(data: der)).uppercased()
        var pairs: [Substring] = []
        var rest = Substring(hex)
        while !rest.isEmpty {
            pairs.append(rest.prefix(2))
            rest = rest.dropFirst(2)
        }
        return "SHA256:" + pairs.joined(separator: ":")
    }

    /// A client configuration that trusts this certificate and nothing else. The name is not checked:
    /// a node is reached by whatever address the admin gave it, and the pin is stronger than any name.
    public func clientConfiguration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(pem.utf8), format: .pem)])
        configuration.certificateVerification = .noHostnameVerification
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}
