import Foundation

/// One reply of the server (RFC 5321 4.2): a three-digit code and the text of its one or more lines.
struct SMTPReply: Sendable, Equatable {
    let code: Int
    /// Each line's text, without the code and the separator.
    let lines: [String]

    /// The first digit: 2 done, 3 go on, 4 try again later, 5 refused.
    var codeClass: Int { code / 100 }

    /// The lines as one, for messages.
    var text: String { lines.joined(separator: " ").trimmingCharacters(in: .whitespaces) }
}
