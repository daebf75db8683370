import Foundation
import Logging

/// Sends mail through one SMTP server: a connection a message, secured as the server's settings say.
public struct SMTPClient: Sendable {
    public let server: SMTPServer
    /// The name this client gives itself in EHLO.
    public let helloName: String
    /// The longest wait for any one step: the connection, and each reply.
    public let timeout: Duration
    let logger: Logger

    public init(server: SMTPServer, helloName: String = "localhost", timeout: Duration = .seconds(30), logger: Logger) {
        self.server = server
        self.helloName = helloName
        self.timeout = timeout
        self.logger = logger
    }

    /// Connects, EHLO, STARTTLS when asked (then EHLO again), AUTH (PLAIN, or LOGIN if only that is offered) when a username is set,
    /// MAIL FROM, RCPT TO each recipient, DATA (dot-stuffed), QUIT. Throws SMTPError. Every step is bounded by `timeout`.
    ///
    /// What can be refused without the server (a header that would inject, credentials that would travel in plain
    /// text to another machine) is refused before connecting, so a bad message is never half sent.
    public func send(_ message: MailMessage) async throws {
        let rendered = try message.rendered(messageID: Self.messageID(from: message.from))
        try validateHelloName()
        if server.username != nil && server.security == .none && !Self.mayAuthenticate(overTLS: false, host: server.host) {
            throw SMTPError.authenticationFailed(plainTextRefusal)
        }
        let tls = server.security == .none ? nil : try server.tlsUpgrade()
        let connection = try await SMTPConnection.connect(
            to: server,
            implicitTLS: server.security == .tls ? tls : nil,
            timeout: timeout,
            logger: logger
        )
        do {
            try await converse(on: connection, startTLS: server.security == .startTLS ? tls : nil, message: message, data: rendered)
        } catch {
            connection.close()
            throw error
        }
        await connection.quit()
        logger.info("SMTP message sent", metadata: ["smtp.server": "\(server.endpoint)", "smtp.recipients": "\(message.to.count)"])
    }

    /// Everything from the greeting to the server's acceptance of the message.
    private func converse(on connection: SMTPConnection, startTLS: TLSUpgrade?, message: MailMessage, data: String) async throws {
        try expect(await connection.greeting(), class: 2, for: "the greeting")
        var capabilities = try await hello(on: connection)
        if let startTLS {
            guard capabilities.supports("STARTTLS") else {
                throw SMTPError.connectionFailed(
                    "\(server.endpoint) does not offer STARTTLS, so the connection cannot be secured; "
                        + "check the port (587 usually offers STARTTLS, 465 expects TLS from the first byte)"
                )
            }
            try await connection.startTLS(startTLS)
            // What the server offered before TLS may have been tampered with: ask again (RFC 3207 4.2).
            capabilities = try await hello(on: connection)
        }
        if let username = server.username {
            try await authenticate(on: connection, username: username, password: server.password ?? "", capabilities: capabilities)
        }
        let envelope = [message.from] + message.to
        let needsUTF8 = envelope.contains { !$0.address.utf8.allSatisfy { $0 < 0x80 } }
        if needsUTF8 && !capabilities.supports("SMTPUTF8") {
            throw SMTPError.invalidAddress("an address is not ASCII, and \(server.endpoint) does not accept such addresses (no SMTPUTF8)")
        }
        try expect(await connection.send("MAIL FROM:<\(message.from.address)>" + (needsUTF8 ? " SMTPUTF8" : "")), class: 2, for: "MAIL FROM")
        for recipient in message.to {
            try expect(await connection.send("RCPT TO:<\(recipient.address)>"), class: 2, for: "RCPT TO")
        }
        try expect(await connection.send("DATA"), class: 3, for: "DATA")
        try expect(await connection.sendData(DotStuffing.apply(data)), class: 2, for: "DATA")
    }

    /// EHLO, or HELO from a server too old for EHLO; returns what the server offers.
    private func hello(on connection: SMTPConnection) async throws -> SMTPCapabilities {
        let reply = try await connection.send("EHLO \(helloName)")
        if reply.codeClass == 2 { return SMTPCapabilities(ehloReply: reply) }
        // Without extensions there is no STARTTLS and no AUTH, so HELO only serves where neither is needed.
        guard reply.codeClass == 5, server.security != .startTLS, server.username == nil else {
            throw SMTPError.rejected(command: "EHLO", code: reply.code, reply: reply.text)
        }
        try expect(await connection.send("HELO \(helloName)"), class: 2, for: "HELO")
        return SMTPCapabilities()
    }

    /// Throws `rejected` unless `reply`'s code is of `expectedClass` (2 done, 3 go on).
    func expect(_ reply: SMTPReply, class expectedClass: Int, for command: String) throws {
        guard reply.codeClass == expectedClass else {
            throw SMTPError.rejected(command: command, code: reply.code, reply: reply.text)
        }
    }

    /// A name a server accepts after EHLO: one word of printable ASCII.
    private func validateHelloName() throws {
        guard !helloName.isEmpty, helloName.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw SMTPError.invalidHeader("the hello name \(String(reflecting: helloName)) must be one word of printable ASCII")
        }
    }

    /// A unique message ID in the sender's domain, as RFC 5322 3.6.4 suggests.
    static func messageID(from sender: MailAddress) -> String {
        let domain = sender.address.split(separator: "@").last.map(String.init) ?? "localhost"
        return "\(UUID().uuidString.lowercased())@\(domain)"
    }
}
