/// Why a message was not sent. Every description is one sentence an administrator can act on, and none
/// contains a password.
public enum SMTPError: Error, Sendable, CustomStringConvertible {
    /// An address that cannot be used in an envelope or header; the text says which and why.
    case invalidAddress(String)
    /// A header value that would break the message (a line break in a subject is header injection).
    case invalidHeader(String)
    /// No connection, or no secure one: refused, unreachable, TLS failed or closed by the server.
    case connectionFailed(String)
    /// The server answered `command` with a code outside the class that means success.
    case rejected(command: String, code: Int, reply: String)
    /// The server refused the credentials, offers no way to use them, or the connection is not safe for them.
    case authenticationFailed(String)
    /// A step got no answer within the client's timeout.
    case timedOut(String)

    public var description: String {
        switch self {
        case .invalidAddress(let detail):
            sentence("Invalid email address: \(detail)")
        case .invalidHeader(let detail):
            sentence("Invalid mail header: \(detail)")
        case .connectionFailed(let detail):
            sentence("Could not talk to the mail server: \(detail)")
        case .rejected(let command, let code, let reply):
            sentence("The mail server refused \(command) with \(code): \(reply)")
        case .authenticationFailed(let detail):
            sentence("Signing in to the mail server failed: \(detail)")
        case .timedOut(let detail):
            sentence("The mail server did not answer in time: \(detail)")
        }
    }
}

/// Ends `text` with a full stop unless a server's reply already did.
private func sentence(_ text: String) -> String {
    text.hasSuffix(".") || text.hasSuffix("!") || text.hasSuffix("?") ? text : text + "."
}
