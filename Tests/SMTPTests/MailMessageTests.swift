import Foundation
import Testing

@testable import SMTP

/// The message as rendered for DATA, without a server.
@Suite struct MailMessageTests {
    private func message(subject: String = "Hello", text: String = "Body") throws -> MailMessage {
        MailMessage(
            from: try MailAddress("berth@example.com", name: "Berth \"Panel\""),
            to: [try MailAddress("a@example.org"), try MailAddress("b@example.org", name: "Bé")],
            subject: subject,
            text: text
        )
    }

    @Test func rendersHeadersInOrderWithCRLFLineEnds() throws {
        let rendered = try message().rendered(date: Date(timeIntervalSince1970: 0), messageID: "<id-1@example.com>")

        let expected = [
            "Date: Thu, 01 Jan 1970 00:00:00 +0000",
            "From: \"Berth \\\"Panel\\\"\" <berth@example.com>",
            "To: a@example.org,",
            " =?utf-8?B?QsOp?=",
            " <b@example.org>",
            "Subject: Hello",
            "Message-ID: <id-1@example.com>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            "Body",
            "",
        ].joined(separator: "\r\n")
        #expect(rendered == expected)
    }

    @Test func aLongOrNonASCIISubjectBecomesFoldedEncodedWords() throws {
        let subject = String(repeating: "Grüße ", count: 30)
        let rendered = try message(subject: subject).rendered(messageID: "x@y")
        let lines = rendered.components(separatedBy: "\r\n")
        let start = try #require(lines.firstIndex { $0.hasPrefix("Subject: ") })
        let folded = lines[start...].prefix { $0.hasPrefix("Subject: ") || $0.hasPrefix(" ") }
        #expect(folded.count > 1)
        #expect(folded.allSatisfy { $0.count <= 78 })
        // Each word's base64 decodes to whole characters, and together to the subject.
        let decoded = try folded.map { line in
            let word = line.hasPrefix("Subject: ") ? String(line.dropFirst("Subject: ".count)) : String(line.dropFirst())
            #expect(word.hasPrefix("=?utf-8?B?") && word.hasSuffix("?="))
            let data = try #require(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))))
            return try #require(String(data: data, encoding: .utf8))
        }
        #expect(decoded.joined() == subject)
    }

    @Test func aSubjectThatLooksEncodedIsEncoded() throws {
        let rendered = try message(subject: "=?utf-8?B?SGk=?=").rendered(messageID: "x@y")
        #expect(!rendered.contains("Subject: =?utf-8?B?SGk=?="))
    }

    @Test func aLineBreakInTheSubjectIsRefused() throws {
        for subject in ["Hi\r\nBcc: x@y.z", "Hi\nBcc: x@y.z", "Hi\r"] {
            let error = #expect(throws: SMTPError.self) { try message(subject: subject).rendered(messageID: "x@y") }
            #expect(error?.kind == "invalidHeader")
        }
    }

    @Test func anUnusableMessageIDIsRefused() throws {
        for messageID in ["", "<>", "a b@c", "a@b>\r\nBcc: x@y.z", "a<b@c"] {
            let error = #expect(throws: SMTPError.self) { try message().rendered(messageID: messageID) }
            #expect(error?.kind == "invalidHeader")
        }
    }

    @Test func aMessageWithoutRecipientsIsRefused() throws {
        var message = try message()
        message.to = []
        let error = #expect(throws: SMTPError.self) { try message.rendered(messageID: "x@y") }
        #expect(error?.kind == "invalidAddress")
    }

    @Test func theBodyIsQuotedPrintableInShortLines() throws {
        let text = String(repeating: "ä", count: 200) + "\n= \nend \t"
        let rendered = try message(text: text).rendered(messageID: "x@y")
        let body = try #require(rendered.components(separatedBy: "\r\n\r\n").last)
        let lines = body.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.count <= 76 })
        #expect(body.utf8.allSatisfy { $0 < 0x80 })
        #expect(lines.first?.hasPrefix("=C3=A4=C3=A4") == true)
        #expect(lines.contains("=3D=20"))
        #expect(lines.contains("end =09"))
    }
}
