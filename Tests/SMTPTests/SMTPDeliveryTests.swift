import BerthTestSupport
import Foundation
import SMTP
import Testing

/// Sending to a real SMTP server (aiosmtpd) over plain TCP: what arrives, and what is refused.
@Suite struct SMTPDeliveryTests {
    @Test func aPlainMessageArrivesWithItsEnvelopeHeadersAndBody() async throws {
        let server = try await TestMailServer.start()
        defer { server.stop() }
        let longLine = String(repeating: "Größenänderung übernommen – ", count: 40) + "🚀"
        let text = [
            "Hallo Jörg,", "", ".", "..two dots", ".leading dot", longLine, "trailing spaces   ", "tab\there",
            "From the start", "=?utf-8?B?bm90?= is not a header", "a=b and =3D stay as they are", "last line",
        ].joined(separator: "\n")
        let message = MailMessage(
            from: try MailAddress("berth@example.com", name: "Berth Panel"),
            to: [try MailAddress("admin@example.org", name: "Jörg Müller"), try MailAddress("ops@example.net")],
            subject: "Grüße aus dem Maschinenraum: der Server „Lobby“ läuft wieder",
            text: text
        )

        try await TestMail.client(for: server).send(message)

        let received = try #require(try await server.waitForMessages(count: 1).first)
        #expect(received.mailFrom == "berth@example.com")
        #expect(received.recipients == ["admin@example.org", "ops@example.net"])
        #expect(received.from == "Berth Panel <berth@example.com>")
        #expect(received.to == "Jörg Müller <admin@example.org>, ops@example.net")
        #expect(received.subject == message.subject)
        #expect(received.text == text + "\n")
        #expect(received.defects == [])
        #expect(received.messageID?.hasSuffix("@example.com>") == true)
        #expect(received.rawHeader("Subject")?.hasPrefix("=?utf-8?B?") == true)
        #expect(!received.usedTLS)
        #expect(received.authenticatedAs == nil)
        // 7-bit, CRLF only, and every line within the 78 characters RFC 5322 asks for.
        #expect(received.raw.utf8.allSatisfy { $0 < 0x80 })
        let lines = received.raw.components(separatedBy: "\r\n")
        #expect(!lines.contains { $0.contains("\n") || $0.contains("\r") })
        #expect(lines.allSatisfy { $0.count <= 78 }, "longest line: \(lines.map(\.count).max() ?? 0)")
    }

    @Test func aRecipientTheServerRefusesIsRejectedAtRcptTo() async throws {
        let server = try await TestMailServer.start()
        defer { server.stop() }

        let error = await TestMail.error { try await TestMail.client(for: server).send(try TestMail.message(to: "reject-me@example.org")) }

        guard case .rejected(let command, let code, let reply) = error else {
            Issue.record("expected rejected, got \(String(describing: error))")
            return
        }
        #expect(command == "RCPT TO")
        #expect(code == 550)
        #expect(reply.contains("refuses this recipient"))
        #expect(error?.description.contains("RCPT TO") == true)
        try await Task.sleep(for: .milliseconds(200))
        #expect(try server.messages().isEmpty)
    }

    @Test func aServerThatStopsAnsweringTimesOut() async throws {
        let server = try await TestMailServer.start()
        defer { server.stop() }
        let started = ContinuousClock.now

        let error = await TestMail.error {
            // Long enough for a loaded machine's server to answer the steps before the one it leaves unanswered.
            try await TestMail.client(for: server, timeout: .seconds(3)).send(try TestMail.message(to: "stall@example.org"))
        }

        guard case .timedOut(let detail) = error else {
            Issue.record("expected timedOut, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("RCPT TO"))
        #expect(ContinuousClock.now - started < .seconds(15), "it gave up after its timeout, not never")
    }

    @Test func aPortWhereNothingListensFailsToConnect() async throws {
        let port = try TestPorts.free()
        let client = SMTPClient(server: SMTPServer(host: "127.0.0.1", port: port, security: .none), timeout: .seconds(5), logger: TestMail.logger)

        let error = await TestMail.error { try await client.send(try TestMail.message()) }

        guard case .connectionFailed(let detail) = error else {
            Issue.record("expected connectionFailed, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("127.0.0.1:\(port)"))
        #expect(detail.contains("refused"))
    }

    /// A line break in a subject or a name would start a header of the sender's choosing (a Bcc, say).
    @Test func headerInjectionIsRefusedBeforeConnecting() async throws {
        let server = try await TestMailServer.start()
        defer { server.stop() }
        let recorder = try TCPRecorder()
        defer { recorder.stop() }
        recorder.forward(to: server.port)
        var message = try TestMail.message()
        message.subject = "Hello\r\nBcc: victim@example.net"

        let error = await TestMail.error { try await TestMail.client(for: server, port: recorder.port).send(message) }

        #expect(error?.kind == "invalidHeader")
        let nameError = #expect(throws: SMTPError.self) { try MailAddress("eve@example.com", name: "Eve\nBcc: victim@example.net") }
        #expect(nameError?.kind == "invalidAddress")
        let addressError = #expect(throws: SMTPError.self) { try MailAddress("eve@example.com\r\nRCPT TO:<victim@example.net>") }
        #expect(addressError?.kind == "invalidAddress")
        try await Task.sleep(for: .milliseconds(200))
        #expect(recorder.captured.isEmpty)
        #expect(try server.messages().isEmpty)
    }
}
