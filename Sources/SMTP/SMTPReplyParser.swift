/// Gathers reply lines into replies: `250-first`, `250-second` and `250 last` make one reply (RFC 5321 4.2.1).
struct SMTPReplyParser {
    /// A bound on one reply's lines, so a hostile server cannot grow the client's memory without end.
    static let maximumLines = 1000

    private var code: Int?
    private var lines: [String] = []

    /// Takes one line (without its CRLF); returns the reply it completes, or nil when more lines follow.
    mutating func add(line bytes: some Collection<UInt8>) throws -> SMTPReply? {
        let characters = Array(bytes)
        guard characters.count >= 3, characters[0...2].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw SMTPError.connectionFailed("the server does not speak SMTP: it sent \(Self.shown(characters))")
        }
        let lineCode = characters[0...2].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        let isLast: Bool
        switch characters.count > 3 ? characters[3] : UInt8(ascii: " ") {
        case UInt8(ascii: " "): isLast = true
        case UInt8(ascii: "-"): isLast = false
        default: throw SMTPError.connectionFailed("the server sent a malformed reply line \(Self.shown(characters))")
        }
        if let code, code != lineCode {
            throw SMTPError.connectionFailed("the server changed the code within one reply, from \(code) to \(lineCode)")
        }
        guard lines.count < Self.maximumLines else {
            throw SMTPError.connectionFailed("the server sent a reply of more than \(Self.maximumLines) lines")
        }
        code = lineCode
        lines.append(String(decoding: characters.dropFirst(4), as: UTF8.self))
        guard isLast else { return nil }
        defer {
            code = nil
            lines = []
        }
        return SMTPReply(code: lineCode, lines: lines)
    }

    /// A line quoted for a message, shortened: it may be anything, binary included.
    private static func shown(_ line: [UInt8]) -> String {
        String(reflecting: String(decoding: line.prefix(80), as: UTF8.self))
    }
}
