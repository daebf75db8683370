/// One of a cron expression's five fields: the values it allows, out of its range.
struct CronField: Sendable, Equatable {
    let allowed: Set<Int>
    /// Written as `*` (or `*/1`): for day-of-month and day-of-week, whether the field restricts at all.
    let isWildcard: Bool

    /// Parses a list of `*`, numbers, names, ranges `a-b` and steps `*/n` or `a-b/n` within `range`;
    /// `names` are three-letter aliases (JAN, MON), matched without regard to case, numbered from `range`'s start.
    init(_ text: Substring, range: ClosedRange<Int>, names: [String] = [], label: String) throws {
        var allowed = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let (spanText, stepText) = Self.split(part, at: "/")
            var step = 1
            if let stepText {
                guard let parsed = Int(stepText), parsed > 0 else {
                    throw CronError("\(label): the step in \(part) must be a whole number above 0")
                }
                step = parsed
            }
            let span: ClosedRange<Int>
            if spanText == "*" {
                span = range
            } else {
                let (lowText, highText) = Self.split(spanText, at: "-")
                let low = try Self.value(lowText, range: range, names: names, label: label)
                let high =
                    try highText.map { try Self.value($0, range: range, names: names, label: label) } ?? (stepText == nil ? low : range.upperBound)
                guard low <= high else { throw CronError("\(label): the range \(spanText) runs backwards") }
                span = low...high
            }
            allowed.formUnion(stride(from: span.lowerBound, through: span.upperBound, by: step))
        }
        self.allowed = allowed
        isWildcard = text == "*" || text == "*/1"
    }

    func contains(_ value: Int) -> Bool { allowed.contains(value) }

    /// The smallest allowed value at or above `value`, if any.
    func first(from value: Int) -> Int? { allowed.filter { $0 >= value }.min() }

    private static func split(_ text: Substring, at separator: Character) -> (Substring, Substring?) {
        guard let index = text.firstIndex(of: separator) else { return (text, nil) }
        return (text[..<index], text[text.index(after: index)...])
    }

    private static func value(_ text: Substring, range: ClosedRange<Int>, names: [String], label: String) throws -> Int {
        if let index = names.firstIndex(where: { $0.caseInsensitiveCompare(text) == .orderedSame }) {
            return range.lowerBound + index
        }
        guard let number = Int(text), range.contains(number) else {
            let named = names.isEmpty ? "" : " or a name such as \(names[0])"
            throw CronError(
                "\(label): \(text.isEmpty ? "an empty value" : String(text)) is not a number from \(range.lowerBound) to \(range.upperBound)\(named)"
            )
        }
        return number
    }
}

/// Why an expression is not one: the message names the field.
public struct CronError: Error, Equatable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
