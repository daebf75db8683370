import Testing

@testable import SMTP

@Suite struct SMTPReplyParserTests {
    private func replies(_ lines: [String]) throws -> [SMTPReply] {
        var parser = SMTPReplyParser()
        return try lines.compactMap { try parser.add(line: Array($0.utf8)) }
    }

    @Test func aMultilineReplyIsOneReply() throws {
        let parsed = try replies(["250-mail.example.com", "250-STARTTLS", "250-AUTH PLAIN LOGIN", "250 SMTPUTF8", "354 go on"])
        #expect(
            parsed == [
                SMTPReply(code: 250, lines: ["mail.example.com", "STARTTLS", "AUTH PLAIN LOGIN", "SMTPUTF8"]),
                SMTPReply(code: 354, lines: ["go on"]),
            ]
        )
    }

    @Test func aBareCodeIsAReply() throws {
        #expect(try replies(["250"]) == [SMTPReply(code: 250, lines: [""])])
    }

    @Test(arguments: [["25 short"], ["abc text"], ["250_text"], ["250-first", "251 other code"]])
    func malformedRepliesAreRefused(lines: [String]) {
        let error = #expect(throws: SMTPError.self) { try replies(lines) }
        #expect(error?.kind == "connectionFailed")
    }

    @Test func capabilitiesComeFromTheEHLOReply() {
        let capabilities = SMTPCapabilities(
            ehloReply: SMTPReply(code: 250, lines: ["mail.example.com greets you", "starttls", "AUTH PLAIN", "AUTH=LOGIN", "SIZE 1000"])
        )
        #expect(capabilities.supports("STARTTLS"))
        #expect(capabilities.supports("SIZE"))
        #expect(!capabilities.supports("MAIL.EXAMPLE.COM"))
        #expect(capabilities.authenticationMechanisms == ["PLAIN", "LOGIN"])
    }
}
