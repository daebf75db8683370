import Foundation

extension MailMessage {
    /// The RFC 5322 message as sent in DATA: CRLF line ends; Date, From, To, Subject, Message-ID and MIME headers;
    /// a text/plain UTF-8 body in quoted-printable, so any line length and any bytes are safe.
    ///
    /// Throws `SMTPError.invalidHeader` for a subject with a line break or an unusable `messageID` (given with or
    /// without its angle brackets), and `SMTPError.invalidAddress` when there is no recipient.
    public func rendered(date: Date = Date(), messageID: String) throws -> String {
        guard !to.isEmpty else { throw SMTPError.invalidAddress("a message needs at least one recipient") }
        if subject.contains(where: { $0.isNewline }) {
            throw SMTPError.invalidHeader("the subject \(String(reflecting: subject)) contains a line break")
        }
        let headers = [
            "Date: \(Self.dateFormatted(date))",
            "From: \(Self.mailbox(from))",
            // One recipient a line, so no list makes a line longer than SMTP allows.
            "To: " + to.map(Self.mailbox).joined(separator: ",\r\n "),
            Self.unstructured(name: "Subject", value: subject),
            "Message-ID: <\(try Self.validated(messageID: messageID))>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
        ]
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + QuotedPrintable.encode(text) + "\r\n"
    }

    /// RFC 5322 3.3 date-time, in UTC.
    static func dateFormatted(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// `"Name" <address>` with the name quoted; a name that is not ASCII or too long for one line as encoded-words,
    /// with the address on a line of its own; the bare address without a name.
    static func mailbox(_ mailbox: MailAddress) -> String {
        guard let name = mailbox.name, !name.isEmpty else { return mailbox.address }
        let quoted = "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        // 70 leaves room for the header's name and a separating comma within 78 characters.
        if EncodedWord.isPlain(name) && quoted.count + mailbox.address.count + 3 <= 70 {
            return "\(quoted) <\(mailbox.address)>"
        }
        return EncodedWord.encode(name).joined(separator: "\r\n ") + "\r\n <\(mailbox.address)>"
    }

    /// A header of free text, as is when plain ASCII that fits a line, otherwise as folded encoded-words.
    static func unstructured(name: String, value: String) -> String {
        // 78 characters a line is what RFC 5322 2.1.1 asks for.
        if EncodedWord.isPlain(value) && name.count + 2 + value.count <= 78 {
            return "\(name): \(value)"
        }
        return "\(name): " + EncodedWord.encode(value).joined(separator: "\r\n ")
    }

    /// The message ID without angle brackets, refused when it could break the header.
    static func validated(messageID: String) throws -> String {
        var identifier = Substring(messageID)
        if identifier.hasPrefix("<") && identifier.hasSuffix(">") && identifier.count >= 2 {
            identifier = identifier.dropFirst().dropLast()
        }
        let usable =
            !identifier.isEmpty && identifier.utf8.count <= 900
            && identifier.utf8.allSatisfy { (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") }
        guard usable else {
            throw SMTPError.invalidHeader("the message ID \(String(reflecting: messageID)) must be printable ASCII without spaces or angle brackets")
        }
        return String(identifier)
    }
}
