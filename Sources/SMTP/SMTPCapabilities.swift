/// What a server offers, from its reply to EHLO: one extension a line after the first (RFC 5321 4.1.1.1).
struct SMTPCapabilities: Sendable, Equatable {
    /// Extension keywords, upper-cased: `STARTTLS`, `AUTH`, `SMTPUTF8`, ...
    let keywords: Set<String>
    /// SASL mechanisms after `AUTH` (or the older `AUTH=`), upper-cased.
    let authenticationMechanisms: Set<String>

    init(ehloReply reply: SMTPReply) {
        var keywords: Set<String> = []
        var mechanisms: Set<String> = []
        for line in reply.lines.dropFirst() {
            let words = line.uppercased().split(whereSeparator: { $0 == " " || $0 == "=" }).map(String.init)
            guard let keyword = words.first else { continue }
            keywords.insert(keyword)
            if keyword == "AUTH" { mechanisms.formUnion(words.dropFirst()) }
        }
        self.keywords = keywords
        self.authenticationMechanisms = mechanisms
    }

    /// A server that answered HELO: no extensions.
    init() {
        keywords = []
        authenticationMechanisms = []
    }

    func supports(_ keyword: String) -> Bool {
        keywords.contains(keyword)
    }
}
