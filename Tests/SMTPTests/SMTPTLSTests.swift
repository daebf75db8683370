import BerthTestSupport
import Foundation
import SMTP
import Testing

/// STARTTLS and implicit TLS against a real server with a self-signed certificate for 127.0.0.1 and localhost.
@Suite struct SMTPTLSTests {
    /// Through a recorder of the bytes on the wire: after STARTTLS, nothing readable, the credentials least of all.
    @Test func startTLSWithTheCertificateTrustedSendsAndHidesTheCredentials() async throws {
        let server = try await TestMailServer.start(username: "mailer", password: "s3cret", tls: .startTLS)
        defer { server.stop() }
        let recorder = try TCPRecorder()
        defer { recorder.stop() }
        recorder.forward(to: server.port)
        let client = TestMail.client(for: server, port: recorder.port, security: .startTLS, username: "mailer", password: "s3cret")

        try await client.send(try TestMail.message(subject: "Über TLS"))

        let received = try #require(try await server.waitForMessages(count: 1).first)
        #expect(received.usedTLS)
        #expect(received.authenticatedAs == "mailer")
        #expect(received.subject == "Über TLS")
        let wire = String(decoding: recorder.captured, as: UTF8.self)
        #expect(wire.contains("STARTTLS"))
        // The server's EHLO reply before TLS lists AUTH (250-AUTH ...); a command of the client's would start a line.
        #expect(!wire.contains("\r\nAUTH"))
        #expect(!wire.contains("MAIL FROM"))
        #expect(!wire.contains(Data("\u{0}mailer\u{0}s3cret".utf8).base64EncodedString()))
        #expect(!wire.contains("s3cret"))
    }

    /// The certificate's DNS name, not only its IP address, is checked and accepted.
    @Test func startTLSToLocalhostByNameSends() async throws {
        let server = try await TestMailServer.start(tls: .startTLS)
        defer { server.stop() }

        try await TestMail.client(for: server, host: "localhost", security: .startTLS).send(try TestMail.message())

        let received = try await server.waitForMessages(count: 1)
        #expect(received.first?.usedTLS == true)
    }

    @Test func startTLSWithAnUntrustedCertificateFails() async throws {
        let server = try await TestMailServer.start(username: "mailer", password: "s3cret", tls: .startTLS)
        defer { server.stop() }
        let client = TestMail.client(for: server, security: .startTLS, username: "mailer", password: "s3cret", trustCertificate: false)

        let error = await TestMail.error { try await client.send(try TestMail.message()) }

        #expect(error?.kind == "connectionFailed")
        #expect(error?.description.contains("not trusted") == true, "\(String(describing: error))")
        try await Task.sleep(for: .milliseconds(200))
        #expect(try server.messages().isEmpty)
    }

    @Test func startTLSToAServerThatDoesNotOfferItFails() async throws {
        let server = try await TestMailServer.start()
        defer { server.stop() }

        let error = await TestMail.error { try await TestMail.client(for: server, security: .startTLS).send(try TestMail.message()) }

        #expect(error?.kind == "connectionFailed")
        #expect(error?.description.contains("does not offer STARTTLS") == true)
        #expect(try server.messages().isEmpty)
    }

    @Test func implicitTLSSends() async throws {
        let server = try await TestMailServer.start(username: "mailer", password: "s3cret", tls: .implicit)
        defer { server.stop() }

        try await TestMail.client(for: server, security: .tls, username: "mailer", password: "s3cret").send(try TestMail.message())

        let received = try #require(try await server.waitForMessages(count: 1).first)
        #expect(received.usedTLS)
        #expect(received.authenticatedAs == "mailer")
    }

    @Test func implicitTLSWithAnUntrustedCertificateFails() async throws {
        let server = try await TestMailServer.start(tls: .implicit)
        defer { server.stop() }

        let error = await TestMail.error {
            try await TestMail.client(for: server, security: .tls, trustCertificate: false).send(try TestMail.message())
        }

        #expect(error?.kind == "connectionFailed")
        #expect(error?.description.contains("not trusted") == true, "\(String(describing: error))")
    }

    /// Implicit TLS to a server that greets in plain text: the handshake fails, with a hint at STARTTLS.
    @Test func implicitTLSToAPlainServerFails() async throws {
        let server = try await TestMailServer.start()
        defer { server.stop() }

        let error = await TestMail.error { try await TestMail.client(for: server, security: .tls).send(try TestMail.message()) }

        #expect(error?.kind == "connectionFailed")
        #expect(error?.description.contains("STARTTLS") == true, "\(String(describing: error))")
    }
}
