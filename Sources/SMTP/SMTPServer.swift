/// Where mail is handed over: an SMTP submission server, how to secure the connection to it and whom to sign in as.
public struct SMTPServer: Sendable, Equatable {
    /// How the connection is secured.
    public enum Security: String, Sendable, CaseIterable {
        /// Plain text throughout; credentials are then only sent to a server on this machine.
        case none
        /// Plain text at first, then TLS after the STARTTLS command (usually port 587); the upgrade is required, not optional.
        case startTLS = "starttls"
        /// TLS from the first byte (usually port 465).
        case tls
    }

    /// The server's host name or IP address; the certificate must be valid for it.
    public var host: String
    public var port: Int
    public var security: Security
    /// The user to sign in as; nil sends without authenticating.
    public var username: String?
    public var password: String?
    /// PEM certificates to trust besides the system's (a test server's self-signed one); nil = system roots only.
    public var trustedCertificatesPEM: String?

    public init(
        host: String,
        port: Int,
        security: Security,
        username: String? = nil,
        password: String? = nil,
        trustedCertificatesPEM: String? = nil
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.trustedCertificatesPEM = trustedCertificatesPEM
    }

    /// `host:port`, as messages name the server (IPv6 addresses in brackets).
    var endpoint: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

extension SMTPServer: CustomStringConvertible {
    /// Without the password, whatever prints it.
    public var description: String { "SMTPServer(\(host):\(port), \(security.rawValue), user: \(username ?? "none"))" }
}
