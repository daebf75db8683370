/// `{{NAME}}` placeholders in image text (startup lines, download URLs), as Pterodactyl and Skyport write them.
public enum VariablePlaceholders {
    /// Rewrites `text`: each placeholder naming a valid variable goes through `variable`, everything else
    /// (plain text, malformed or unclosed placeholders) through `literal`.
    public static func rewrite(
        _ text: String,
        variable: (String) -> String,
        literal: (Substring) -> String = { String($0) }
    ) -> String {
        rewrite(text, placeholder: { EnvironmentName.isValid($0) ? variable($0) : nil }, literal: literal)
    }

    /// Rewrites `text`: each placeholder's trimmed name (any text, such as an egg's
    /// `server.build.default.port`) goes through `placeholder`; one it answers nil for stays as written, and
    /// like everything else (plain text, unclosed placeholders) goes through `literal`.
    public static func rewrite(
        _ text: String,
        placeholder: (String) -> String?,
        literal: (Substring) -> String = { String($0) }
    ) -> String {
        var result = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            result += literal(rest[..<open.lowerBound])
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            result += placeholder(name) ?? literal(rest[open.lowerBound..<close.upperBound])
            rest = rest[close.upperBound...]
        }
        return result + literal(rest)
    }
}
