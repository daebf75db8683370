/// A plain-text mail from one sender to one or more recipients.
public struct MailMessage: Sendable {
    public var from: MailAddress
    public var to: [MailAddress]
    /// Any text but a line break (that would be header injection); sent as RFC 2047 encoded-words when not ASCII.
    public var subject: String
    /// The plain-text body, sent as UTF-8; any line length and any characters are safe.
    public var text: String

    public init(from: MailAddress, to: [MailAddress], subject: String, text: String) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
    }
}
