import Foundation

/// What a value of an image's variable must be, read from the Laravel rule strings eggs carry
/// (`required|integer|between:1025,65535`, `nullable|string|max:20`, `regex:/^[\w.-]+\.jar$/`): the
/// subset eggs use, each rule checked on the server. Rules it does not know are kept in ``unchecked``
/// so the admin sees them, and otherwise ignored.
package struct VariableRules: Sendable, Equatable {
    package enum Kind: String, Sendable {
        case string, integer, numeric, boolean
    }

    package var required = false
    package var kind: Kind = .string
    /// A length for strings, a value for numbers.
    package var minimum: Double?
    package var maximum: Double?
    package var allowed: [String]?
    /// The pattern as written, without PHP's delimiters; matched anywhere in the value, as `preg_match` does.
    package var pattern: String?
    package var caseInsensitive = false
    package var unchecked: [String] = []

    /// Every value is at most this long, whatever the rules say: a value becomes an environment variable.
    static let longestValue = 4096

    package init() {}

    /// Reads a rule string; a rule with a malformed argument (`max:lots`, a regex that does not compile) throws.
    package init(laravel text: String) throws {
        for rule in Self.split(text) {
            let (name, argument) = Self.nameAndArgument(rule)
            switch name {
            case "required": required = true
            case "nullable", "sometimes", "present", "filled", "": break
            case "string": kind = .string
            case "integer", "int": kind = .integer
            case "numeric": kind = .numeric
            case "boolean", "bool": kind = .boolean
            case "min": minimum = try Self.number(argument, in: rule)
            case "max": maximum = try Self.number(argument, in: rule)
            case "between", "digits_between":
                let bounds = argument.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard bounds.count == 2 else { throw PanelError.invalid("the rule \(rule) needs two bounds") }
                minimum = try Self.number(bounds[0], in: rule)
                maximum = try Self.number(bounds[1], in: rule)
            case "in": allowed = argument.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            case "regex": try setPattern(argument, in: rule)
            default: unchecked.append(rule)
            }
        }
    }

    /// Why `value` does not fit, naming the variable `name`, or nil. An empty value is fine unless required.
    package func problem(with value: String, name: String) -> String? {
        guard value.count <= Self.longestValue else { return "\(name) must be at most \(Self.longestValue) characters" }
        guard !value.isEmpty else { return required ? "\(name) is required" : nil }
        var measure = Double(value.count)
        switch kind {
        case .string:
            break
        case .integer:
            guard let number = Int(value) else { return "\(name) must be a whole number" }
            measure = Double(number)
        case .numeric:
            guard let number = Double(value), number.isFinite, value.allSatisfy({ "0123456789.-+".contains($0) }) else {
                return "\(name) must be a number"
            }
            measure = number
        case .boolean:
            guard ["true", "false", "1", "0"].contains(value) else { return "\(name) must be true, false, 1 or 0" }
        }
        let unit = kind == .string ? " characters" : ""
        if let minimum, measure < minimum { return "\(name) must be at least \(Self.text(minimum))\(unit)" }
        if let maximum, measure > maximum { return "\(name) must be at most \(Self.text(maximum))\(unit)" }
        if let allowed, !allowed.contains(value) { return "\(name) must be one of \(allowed.joined(separator: ", "))" }
        if let pattern, let expression = try? regularExpression(pattern),
            expression.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) == nil
        {
            return "\(name) must match \(pattern)"
        }
        return nil
    }

    /// The rules in words, for the fields that ask for a value: "required, a whole number from 1025 to 65535".
    package var summary: String {
        var parts: [String] = required ? ["required"] : []
        let range: String? =
            switch (minimum, maximum) {
            case (let low?, let high?): "from \(Self.text(low)) to \(Self.text(high))"
            case (let low?, nil): "at least \(Self.text(low))"
            case (nil, let high?): "at most \(Self.text(high))"
            case (nil, nil): nil
            }
        switch kind {
        case .string: if let range { parts.append("\(range) characters") }
        case .integer: parts.append(["a whole number", range].compactMap { $0 }.joined(separator: " "))
        case .numeric: parts.append(["a number", range].compactMap { $0 }.joined(separator: " "))
        case .boolean: parts.append("true or false")
        }
        if let allowed { parts.append("one of " + allowed.joined(separator: ", ")) }
        if let pattern { parts.append("matching \(pattern)") }
        return parts.joined(separator: ", ")
    }

    // MARK: - Reading rules

    /// Splits at `|`, except inside a regex, whose pattern may hold one.
    private static func split(_ text: String) -> [String] {
        var rules: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            if rest.hasPrefix("regex:") {
                // A regex runs to its closing delimiter and flags, then to the next `|` or the end.
                let body = rest.dropFirst("regex:".count)
                if let delimiter = body.first, let close = body.dropFirst().lastIndex(of: delimiter) {
                    let end = body[close...].firstIndex(of: "|") ?? body.endIndex
                    rules.append(String(rest[..<end]))
                    rest = end == body.endIndex ? "" : body[body.index(after: end)...]
                    continue
                }
            }
            let end = rest.firstIndex(of: "|") ?? rest.endIndex
            rules.append(String(rest[..<end]).trimmingCharacters(in: .whitespaces))
            rest = end == rest.endIndex ? "" : rest[rest.index(after: end)...]
        }
        return rules.filter { !$0.isEmpty }
    }

    private static func nameAndArgument(_ rule: String) -> (String, String) {
        guard let colon = rule.firstIndex(of: ":") else { return (rule.lowercased(), "") }
        return (rule[..<colon].lowercased(), String(rule[rule.index(after: colon)...]))
    }

    private static func number(_ text: String, in rule: String) throws -> Double {
        guard let number = Double(text.trimmingCharacters(in: .whitespaces)), number.isFinite else {
            throw PanelError.invalid("the rule \(rule) needs a number")
        }
        return number
    }

    /// `/pattern/flags` (any non-alphanumeric delimiter, as PHP allows); `i` makes it case-insensitive.
    private mutating func setPattern(_ argument: String, in rule: String) throws {
        guard let delimiter = argument.first, !delimiter.isLetter, !delimiter.isNumber, !delimiter.isWhitespace, delimiter != "\\",
            let close = argument.dropFirst().lastIndex(of: delimiter)
        else {
            throw PanelError.invalid("the rule \(rule) needs a pattern between delimiters, like /^[a-z]+$/")
        }
        let flags = argument[argument.index(after: close)...]
        pattern = String(argument[argument.index(after: argument.startIndex)..<close])
        caseInsensitive = flags.contains("i")
        guard (try? regularExpression(pattern ?? "")) != nil else {
            throw PanelError.invalid("the rule \(rule) holds a pattern that does not compile")
        }
    }

    private func regularExpression(_ pattern: String) throws -> NSRegularExpression {
        try NSRegularExpression(pattern: pattern, options: caseInsensitive ? [.caseInsensitive] : [])
    }

    private static func text(_ number: Double) -> String {
        number == number.rounded() ? String(Int(number)) : String(number)
    }
}
