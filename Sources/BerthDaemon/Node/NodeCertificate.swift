import BerthHTTP
import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// The node's own TLS identity: a P-256 key and a self-signed certificate, made once in the data
/// directory (`node-key.pem`, readable by its owner alone, and `node-certificate.pem`). Nobody needs to
/// sign it: the panel pins it on the node's first signed heartbeat and trusts nothing else at that address.
public struct NodeCertificate: Sendable {
    public let certificatePEM: String
    let keyPEM: String
    /// What `berth daemon configure` prints and the Nodes page in the panel shows, to compare.
    public let fingerprint: String

    init(certificatePEM: String, keyPEM: String) throws {
        self.certificatePEM = certificatePEM
        self.keyPEM = keyPEM
        fingerprint = try PinnedCertificate(pem: certificatePEM).fingerprint
    }

    /// The key and certificate in `dataDirectory`, made when either is missing.
    public static func loadOrCreate(in dataDirectory: String) throws -> NodeCertificate {
        let keyPath = (dataDirectory as NSString).appendingPathComponent("node-key.pem")
        let certificatePath = (dataDirectory as NSString).appendingPathComponent("node-certificate.pem")
        if let key = try? String(contentsOfFile: keyPath, encoding: .utf8),
            let certificate = try? String(contentsOfFile: certificatePath, encoding: .utf8)
        {
            return try NodeCertificate(certificatePEM: certificate, keyPEM: key)
        }
        let made = try make()
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // The key file is made with its final mode, so it is never readable by others, not even for a moment.
        guard FileManager.default.createFile(atPath: keyPath + ".new", contents: Data(made.keyPEM.utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: keyPath])
        }
        try Data(made.certificatePEM.utf8).write(to: URL(fileURLWithPath: certificatePath), options: .atomic)
        guard rename(keyPath + ".new", keyPath) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: keyPath]) }
        return made
    }

    /// A new key and a certificate for it, valid for 100 years: the pin, not the dates, is what is trusted.
    static func make() throws -> NodeCertificate {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("berth-node") }
        let now = Date()
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(100 * 365 * 86400),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                SubjectAlternativeNames([.dnsName("berth-node")])
                try ExtendedKeyUsage([.serverAuth])
            },
            issuerPrivateKey: .init(key)
        )
        return try NodeCertificate(certificatePEM: try certificate.serializeAsPEM().pemString, keyPEM: key.pemRepresentation)
    }

    /// The daemon's server side of TLS.
    func serverConfiguration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem))
        )
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}
