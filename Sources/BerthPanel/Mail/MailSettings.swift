import SMTP

/// Where the panel's e-mail goes out: an SMTP server, and the sender it writes as.
public struct MailSettings: Sendable, Equatable {
    public var server: SMTPServer
    public var from: MailAddress

    public init(server: SMTPServer, from: MailAddress) {
        self.server = server
        self.from = from
    }
}
