import BerthTestSupport
import Logging
import SMTP
import Testing

/// What the SMTP tests share: clients for a test mail server, and the error a send throws.
enum TestMail {
    static let logger = Logger(label: "smtp-tests")

    /// A client for `server` on 127.0.0.1 (or `host`), trusting its certificate unless told not to.
    static func client(
        for server: TestMailServer,
        host: String = "127.0.0.1",
        port: Int? = nil,
        security: SMTPServer.Security = .none,
        username: String? = nil,
        password: String? = nil,
        trustCertificate: Bool = true,
        timeout: Duration = .seconds(10)
    ) -> SMTPClient {
        SMTPClient(
            server: SMTPServer(
                host: host,
                port: port ?? server.port,
                security: security,
                username: username,
                password: password,
                trustedCertificatesPEM: trustCertificate ? server.certificatePEM : nil
            ),
            timeout: timeout,
            logger: logger
        )
    }

    /// A short message from one sender to `recipient`.
    static func message(to recipient: String = "admin@example.org", subject: String = "Test") throws -> MailMessage {
        MailMessage(
            from: try MailAddress("berth@example.com", name: "Berth"),
            to: [try MailAddress(recipient)],
            subject: subject,
            text: "Hello."
        )
    }

    /// The `SMTPError` that `send` throws; nil, with an issue recorded, when it throws none or another error.
    static func error(from send: () async throws -> Void) async -> SMTPError? {
        do {
            try await send()
            Issue.record("expected an SMTPError, but nothing was thrown")
        } catch let error as SMTPError {
            return error
        } catch {
            Issue.record("expected an SMTPError, got \(error)")
        }
        return nil
    }
}

extension SMTPError {
    /// The case without its values, for tests that only care which it is.
    var kind: String {
        switch self {
        case .invalidAddress: "invalidAddress"
        case .invalidHeader: "invalidHeader"
        case .connectionFailed: "connectionFailed"
        case .rejected: "rejected"
        case .authenticationFailed: "authenticationFailed"
        case .timedOut: "timedOut"
        }
    }
}
