import ArgumentParser
import BerthPanel
import SMTP

/// The mail server the panel sends password resets and invitations through, until an admin saves other
/// settings on the Mail page. The password comes from `BERTH_SMTP_PASSWORD`, never the command line,
/// where every user of the machine can read it in the process list.
struct MailOptions: ParsableArguments {
    @Option(help: "The SMTP server for the panel's e-mail (password resets, invitations).")
    var smtpHost: String?

    @Option(help: "The SMTP server's port.")
    var smtpPort = 587

    @Option(help: "How the connection is encrypted: starttls, tls (from the first byte, port 465) or none (a server on this machine only).")
    var smtpSecurity = SMTPServer.Security.startTLS.rawValue

    @Option(help: "The SMTP username (its password in BERTH_SMTP_PASSWORD).")
    var smtpUsername: String?

    @Option(help: "The address the panel's e-mail comes from.")
    var mailFrom: String?

    static let passwordVariable = "BERTH_SMTP_PASSWORD"

    func validate() throws {
        guard smtpHost != nil else { return }
        guard SMTPServer.Security(rawValue: smtpSecurity) != nil else {
            throw ValidationError("--smtp-security must be one of \(SMTPServer.Security.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (1...65535).contains(smtpPort) else { throw ValidationError("--smtp-port must be from 1 to 65535") }
        guard let mailFrom, (try? MailAddress(mailFrom)) != nil else {
            throw ValidationError("--smtp-host needs --mail-from, the address the panel's e-mail comes from")
        }
    }

    /// The settings, when a host was given.
    func settings(password: String?) throws -> MailSettings? {
        guard let smtpHost, let mailFrom, let security = SMTPServer.Security(rawValue: smtpSecurity) else { return nil }
        return MailSettings(
            server: SMTPServer(host: smtpHost, port: smtpPort, security: security, username: smtpUsername, password: password),
            from: try MailAddress(mailFrom, name: "Berth")
        )
    }
}
