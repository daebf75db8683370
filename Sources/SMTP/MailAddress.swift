/// One mailbox: an address, as SMTP envelopes and `From`/`To` headers carry it, with an optional display name.
public struct MailAddress: Sendable, Equatable, CustomStringConvertible {
    /// `local@domain`; validated so it cannot break out of `<...>` in an envelope command or a header.
    public let address: String
    /// Shown by mail programs beside the address; RFC 2047 encoded in headers when not ASCII.
    public let name: String?

    /// The longest address SMTP carries (RFC 5321 4.5.3.1.3, a path of 256 less its angle brackets).
    static let maximumLength = 254

    /// Throws `SMTPError.invalidAddress` when `address` is not a plain `local@domain` or `name` holds a line break.
    public init(_ address: String, name: String? = nil) throws {
        try Self.validate(address: address)
        if let name, name.contains(where: { $0.isNewline }) {
            throw SMTPError.invalidAddress("the display name \(String(reflecting: name)) contains a line break")
        }
        self.address = address
        self.name = name
    }

    /// `"Name" <local@domain>`, or the bare address.
    public var description: String {
        guard let name, !name.isEmpty else { return address }
        return "\(name) <\(address)>"
    }

    /// Refuses what could end the address early in `MAIL FROM:<...>` or a header: spaces, control characters,
    /// angle brackets, and the characters that separate or quote addresses in headers.
    private static func validate(address: String) throws {
        let shown = String(reflecting: address)
        guard address.utf8.count <= maximumLength else {
            throw SMTPError.invalidAddress("\(shown) is longer than \(maximumLength) bytes")
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last, !local.isEmpty, !domain.isEmpty else {
            throw SMTPError.invalidAddress("\(shown) is not of the form name@domain with exactly one @")
        }
        for scalar in address.unicodeScalars {
            if scalar.properties.isWhitespace || scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format {
                throw SMTPError.invalidAddress("\(shown) contains a space, line break or control character")
            }
            if "<>()[],;:\\\"".unicodeScalars.contains(scalar) {
                throw SMTPError.invalidAddress("\(shown) contains \(String(reflecting: String(scalar))), which addresses here may not")
            }
        }
    }
}
