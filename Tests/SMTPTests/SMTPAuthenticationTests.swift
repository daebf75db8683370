import BerthTestSupport
import SMTP
import Testing

/// AUTH against a real server that requires it, and the rule that keeps passwords off the network in plain text.
@Suite struct SMTPAuthenticationTests {
    @Test func theRightPasswordSignsIn() async throws {
        let server = try await TestMailServer.start(username: "mailer", password: "s3cret pass")
        defer { server.stop() }

        try await TestMail.client(for: server, username: "mailer", password: "s3cret pass").send(try TestMail.message())

        let received = try await server.waitForMessages(count: 1)
        #expect(received.first?.authenticatedAs == "mailer")
    }

    @Test func loginIsUsedWhenTheServerOffersOnlyLogin() async throws {
        let server = try await TestMailServer.start(username: "mailer", password: "s3cret", authenticationMechanisms: ["LOGIN"])
        defer { server.stop() }

        try await TestMail.client(for: server, username: "mailer", password: "s3cret").send(try TestMail.message())

        let received = try await server.waitForMessages(count: 1)
        #expect(received.first?.authenticatedAs == "mailer")
    }

    @Test func aWrongPasswordFailsWithoutShowingIt() async throws {
        let server = try await TestMailServer.start(username: "mailer", password: "s3cret")
        defer { server.stop() }
        let wrong = "wrong-Pa55word"

        let error = await TestMail.error {
            try await TestMail.client(for: server, username: "mailer", password: wrong).send(try TestMail.message())
        }

        #expect(error?.kind == "authenticationFailed")
        let description = try #require(error?.description)
        #expect(description.contains("mailer"))
        #expect(!description.contains(wrong))
        #expect(!description.contains("s3cret"))
        #expect(!String(reflecting: error).contains(wrong))
        #expect(try server.messages().isEmpty)
    }

    @Test func sendingWithoutSigningInToAServerThatRequiresItIsRejectedAtMailFrom() async throws {
        let server = try await TestMailServer.start(username: "mailer", password: "s3cret")
        defer { server.stop() }

        let error = await TestMail.error { try await TestMail.client(for: server).send(try TestMail.message()) }

        guard case .rejected(let command, let code, _) = error else {
            Issue.record("expected rejected, got \(String(describing: error))")
            return
        }
        #expect(command == "MAIL FROM")
        #expect(code == 530)
    }

    /// 192.0.2.1 is TEST-NET-1: nothing answers there, and the client must not even try, as it would send the
    /// password in plain text.
    @Test func credentialsInPlainTextToAnotherMachineAreRefusedBeforeConnecting() async throws {
        let client = SMTPClient(
            server: SMTPServer(host: "192.0.2.1", port: 25, security: .none, username: "mailer", password: "s3cret"),
            timeout: .seconds(2),
            logger: TestMail.logger
        )
        let started = ContinuousClock.now

        let error = await TestMail.error { try await client.send(try TestMail.message()) }

        #expect(error?.kind == "authenticationFailed")
        #expect(error?.description.contains("without TLS") == true)
        #expect(error?.description.contains("s3cret") == false)
        // A connection attempt would take the whole timeout; the refusal comes at once.
        #expect(ContinuousClock.now - started < .milliseconds(500))
    }

    @Test func credentialsGoOnlyOverTLSOrToThisMachine() {
        #expect(SMTPClient.mayAuthenticate(overTLS: true, host: "mail.example.com"))
        #expect(SMTPClient.mayAuthenticate(overTLS: true, host: "192.0.2.1"))
        #expect(SMTPClient.mayAuthenticate(overTLS: false, host: "127.0.0.1"))
        #expect(SMTPClient.mayAuthenticate(overTLS: false, host: "::1"))
        #expect(SMTPClient.mayAuthenticate(overTLS: false, host: "localhost"))
        #expect(SMTPClient.mayAuthenticate(overTLS: false, host: "LocalHost"))
        #expect(!SMTPClient.mayAuthenticate(overTLS: false, host: "mail.example.com"))
        #expect(!SMTPClient.mayAuthenticate(overTLS: false, host: "192.0.2.1"))
        #expect(!SMTPClient.mayAuthenticate(overTLS: false, host: "localhost.example.com"))
        #expect(!SMTPClient.mayAuthenticate(overTLS: false, host: "127.0.0.1.example.com"))
    }
}
