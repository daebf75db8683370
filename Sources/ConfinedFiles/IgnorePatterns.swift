/// Which paths to leave out, written as a `.gitignore` is (and Pterodactyl's `.pteroignore`): one pattern a
/// line; `#` comments; `!` takes a path back in; a trailing `/` matches folders only; a pattern with a `/`
/// before its end is anchored at the root, one without matches a name at any depth; `*` and `?` stay within
/// one name, `**` spans folders. The last pattern that matches decides. A folder left out is not entered, so
/// nothing inside it can be taken back in, as in git.
///
/// The text is a tenant's: at most ``mostPatterns`` patterns are read, each at most 1024 characters with at
/// most four `**`, so no file can make matching slow.
public struct IgnorePatterns: Sendable {
    struct Pattern: @unchecked Sendable {
        let negated: Bool
        let foldersOnly: Bool
        let expression: Regex<AnyRegexOutput>
    }

    let patterns: [Pattern]

    public static let mostPatterns = 1000

    public init(_ text: String) {
        var patterns: [Pattern] = []
        for raw in text.split(whereSeparator: \.isNewline).prefix(Self.mostPatterns) {
            var line = Substring(raw)
            while line.last == " " && !line.hasSuffix("\\ ") { line = line.dropLast() }
            guard !line.isEmpty, !line.hasPrefix("#"), line.count <= 1024 else { continue }
            let negated = line.hasPrefix("!")
            if negated { line = line.dropFirst() }
            let foldersOnly = line.hasSuffix("/")
            if foldersOnly { line = line.dropLast() }
            let anchored = line.contains("/")
            if line.hasPrefix("/") { line = line.dropFirst() }
            guard !line.isEmpty, line.components(separatedBy: "**").count <= 5,
                let expression = try? Regex((anchored ? "^" : "^(?:.*/)?") + Self.translate(line) + "$")
            else { continue }
            patterns.append(Pattern(negated: negated, foldersOnly: foldersOnly, expression: expression))
        }
        self.patterns = patterns
    }

    /// Whether `path` (relative to the root, `/`-separated) is left out.
    public func excludes(_ path: String, isFolder: Bool) -> Bool {
        var excluded = false
        for pattern in patterns where !pattern.foldersOnly || isFolder {
            if (try? pattern.expression.wholeMatch(in: path)) != nil { excluded = !pattern.negated }
        }
        return excluded
    }

    public var isEmpty: Bool { patterns.isEmpty }

    /// A glob as a regular expression: `**/` any folders, `/**` anything below, `*` and `?` within a name.
    static func translate(_ glob: Substring) -> String {
        var result = ""
        let characters = Array(glob)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "*" where index + 1 < characters.count && characters[index + 1] == "*":
                let slashAfter = index + 2 < characters.count && characters[index + 2] == "/"
                result += slashAfter ? "(?:.*/)?" : ".*"
                index += slashAfter ? 3 : 2
                continue
            case "*": result += "[^/]*"
            case "?": result += "[^/]"
            case "\\" where index + 1 < characters.count:
                index += 1
                result += escaped(characters[index])
            case "[":
                if let close = characters[(index + 1)...].firstIndex(of: "]"), close > index + 1 {
                    var inner = String(characters[(index + 1)..<close])
                    if inner.hasPrefix("!") { inner = "^" + inner.dropFirst() }
                    result += "[" + inner.replacingOccurrences(of: "\\", with: "\\\\") + "]"
                    index = close + 1
                    continue
                }
                result += "\\["
            default: result += escaped(character)
            }
            index += 1
        }
        return result
    }

    private static func escaped(_ character: Character) -> String {
        character.isLetter || character.isNumber || character == "/" || character == "_" || character == "-"
            ? String(character) : "\\" + String(character)
    }
}
