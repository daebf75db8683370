extension SMTPClient {
    /// Whether credentials may be sent over a connection: inside TLS, or in plain text only to this machine,
    /// where no network carries them.
    public static func mayAuthenticate(overTLS: Bool, host: String) -> Bool {
        overTLS || ["127.0.0.1", "::1", "localhost"].contains(host.lowercased())
    }

    /// Why credentials are not sent in plain text, as an administrator reads it.
    var plainTextRefusal: String {
        "the password is not sent to \(server.endpoint) without TLS, where anyone on the network could read it; "
            + "choose STARTTLS or TLS (or no username)"
    }

    /// AUTH PLAIN, or AUTH LOGIN when the server offers only that (RFC 4954, RFC 4616).
    func authenticate(on connection: SMTPConnection, username: String, password: String, capabilities: SMTPCapabilities) async throws {
        // Checked again on the open connection: the one rule that must hold whatever the settings said.
        guard Self.mayAuthenticate(overTLS: connection.isSecure, host: server.host) else {
            throw SMTPError.authenticationFailed(plainTextRefusal)
        }
        let mechanisms = capabilities.authenticationMechanisms
        let reply: SMTPReply
        if mechanisms.contains("PLAIN") {
            let credentials = Base64.encode([0] + Array(username.utf8) + [0] + Array(password.utf8))
            reply = try await connection.send("AUTH PLAIN \(credentials)", loggedAs: "AUTH PLAIN")
        } else if mechanisms.contains("LOGIN") {
            try expectChallenge(await connection.send("AUTH LOGIN"))
            try expectChallenge(await connection.send(Base64.encode(username), loggedAs: "the user name"))
            reply = try await connection.send(Base64.encode(password), loggedAs: "the password")
        } else {
            let offered = mechanisms.isEmpty ? "no authentication" : "only " + mechanisms.sorted().joined(separator: ", ")
            throw SMTPError.authenticationFailed("\(server.endpoint) offers \(offered), and this client speaks PLAIN and LOGIN")
        }
        guard reply.codeClass == 2 else {
            throw SMTPError.authenticationFailed(
                "\(server.endpoint) refused the user name \(String(reflecting: username)) or its password (\(reply.code) \(reply.text))"
            )
        }
    }

    /// AUTH LOGIN goes on only after a 334 challenge.
    private func expectChallenge(_ reply: SMTPReply) throws {
        guard reply.code == 334 else {
            throw SMTPError.authenticationFailed("\(server.endpoint) did not go on with AUTH LOGIN (\(reply.code) \(reply.text))")
        }
    }
}
