import NIOCore
import NIOSSL

extension SMTPServer {
    /// TLS that verifies the server: its chain against the system's roots plus `trustedCertificatesPEM`, and its
    /// name (or IP address) against `host`.
    func tlsUpgrade() throws -> TLSUpgrade {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .fullVerification
        if let trustedCertificatesPEM {
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMBytes(Array(trustedCertificatesPEM.utf8))
            } catch {
                throw SMTPError.connectionFailed("the certificates to trust are not valid PEM (\(error))")
            }
            guard !certificates.isEmpty else {
                throw SMTPError.connectionFailed("the certificates to trust hold no PEM certificate")
            }
            configuration.additionalTrustRoots = [.certificates(certificates)]
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw SMTPError.connectionFailed("TLS could not be set up (\(error))")
        }
        return TLSUpgrade(context: context, serverHostname: isIPAddress ? nil : host)
    }

    /// Whether `host` is an IPv4 or IPv6 address rather than a name.
    var isIPAddress: Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}
