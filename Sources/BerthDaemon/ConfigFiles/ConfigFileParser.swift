import Foundation
import Yams

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Sets keys in a configuration file's text the way an egg's `config.files` parser reads it, keeping the
/// rest of the file as it was. Keys it does not find are added, except by `file`, which only replaces.
enum ConfigFileParser {
    /// `text` with each of `values` (key, value) set; throws for an unknown parser, or a JSON, YAML or XML
    /// file that does not read.
    static func edit(_ text: String, parser: String, values: [(key: String, value: String)]) throws -> String {
        switch parser {
        case "properties": return properties(text, values)
        case "ini": return ini(text, values)
        case "file": return lines(text, values)
        case "json": return try json(text, values)
        case "yaml": return try yaml(text, values)
        case "xml": return try xml(text, values)
        default: throw ConfigFileError.unsupported(parser)
        }
    }

    /// `key=value` lines; `#` and `!` start comments; `:` separates as well as `=`.
    private static func properties(_ text: String, _ values: [(key: String, value: String)]) -> String {
        var lines = split(text)
        for (key, value) in values {
            let line = "\(key)=\(value)"
            if let index = lines.firstIndex(where: { isAssignment($0, of: key, separators: "=:", comments: "#!") }) {
                lines[index] = line
            } else {
                lines.append(line)
            }
        }
        return join(lines)
    }

    /// `[section]` headers and `key = value` lines; a key is `section.key`, or `[section.with.dots].key`.
    private static func ini(_ text: String, _ values: [(key: String, value: String)]) -> String {
        var lines = split(text)
        for (path, value) in values {
            let (section, key) = iniSection(of: path)
            let line = "\(key)=\(value)"
            // The section's lines: after its header up to the next header (the top when it has none).
            var start = 0
            if let section {
                guard let header = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "[\(section)]" }) else {
                    if lines.last.map({ !$0.isEmpty }) == true { lines.append("") }
                    lines += ["[\(section)]", line]
                    continue
                }
                start = header + 1
            }
            let end = lines[start...].firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix("[") } ?? lines.endIndex
            if let index = lines[start..<end].firstIndex(where: { isAssignment($0, of: key, separators: "=", comments: ";#") }) {
                lines[index] = line
            } else {
                // After the section's last non-blank line.
                var insert = end
                while insert > start, lines[insert - 1].trimmingCharacters(in: .whitespaces).isEmpty { insert -= 1 }
                lines.insert(line, at: insert)
            }
        }
        return join(lines)
    }

    private static func iniSection(of path: String) -> (section: String?, key: String) {
        if path.hasPrefix("["), let close = path.range(of: "].") {
            return (String(path[path.index(after: path.startIndex)..<close.lowerBound]), String(path[close.upperBound...]))
        }
        guard let dot = path.firstIndex(of: ".") else { return (nil, path) }
        return (String(path[..<dot]), String(path[path.index(after: dot)...]))
    }

    /// Every line that starts with the key (leading blanks aside) becomes the value, whole.
    private static func lines(_ text: String, _ values: [(key: String, value: String)]) -> String {
        var lines = split(text)
        for (key, value) in values {
            for index in lines.indices where lines[index].drop(while: { $0 == " " || $0 == "\t" }).hasPrefix(key) {
                lines[index] = value
            }
        }
        return join(lines)
    }

    /// Dotted paths into objects, made where missing; `true`, `false` and whole numbers keep their type.
    private static func json(_ text: String, _ values: [(key: String, value: String)]) throws -> String {
        var root: [String: Any] = [:]
        if !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw ConfigFileError.unreadable("the file is not a JSON object")
            }
            root = object
        }
        for (path, value) in values {
            root = setting(typed(value), at: path.split(separator: ".").map(String.init), in: root)
        }
        let data = try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Dotted paths into mappings, as JSON; comments in the file are not kept (the file is written anew).
    private static func yaml(_ text: String, _ values: [(key: String, value: String)]) throws -> String {
        var root: [String: Any] = [:]
        if !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            guard let mapping = (try? Yams.load(yaml: text)) as? [String: Any] else {
                throw ConfigFileError.unreadable("the file is not a YAML mapping")
            }
            root = mapping
        }
        for (path, value) in values {
            root = setting(typed(value), at: path.split(separator: ".").map(String.init), in: root)
        }
        return try Yams.dump(object: root, sortKeys: true)
    }

    /// Dotted paths of element names below the root element (which a path may name first); the last
    /// element's text is set, elements made where missing.
    private static func xml(_ text: String, _ values: [(key: String, value: String)]) throws -> String {
        guard let document = try? XMLDocument(xmlString: text.isEmpty ? "<config/>" : text, options: []),
            let root = document.rootElement()
        else {
            throw ConfigFileError.unreadable("the file is not XML with a root element")
        }
        for (path, value) in values {
            var names = path.split(separator: ".").map(String.init)
            if names.first == root.name, names.count > 1 { names.removeFirst() }
            var element = root
            for name in names {
                if let child = element.elements(forName: name).first {
                    element = child
                } else {
                    let child = XMLElement(name: name)
                    element.addChild(child)
                    element = child
                }
            }
            element.stringValue = value
        }
        return document.xmlString(options: [.nodePrettyPrint]) + "\n"
    }

    /// `true`, `false` and whole numbers as themselves, anything else as text.
    private static func typed(_ value: String) -> Any {
        value == "true" ? true : value == "false" ? false : Int(value).map { $0 as Any } ?? value
    }

    private static func setting(_ value: Any, at path: [String], in object: [String: Any]) -> [String: Any] {
        guard let first = path.first else { return object }
        var object = object
        object[first] = path.count == 1 ? value : setting(value, at: Array(path.dropFirst()), in: object[first] as? [String: Any] ?? [:])
        return object
    }

    // MARK: - Lines

    private static func isAssignment(_ line: String, of key: String, separators: String, comments: String) -> Bool {
        let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
        guard let first = trimmed.first, !comments.contains(first), trimmed.hasPrefix(key) else { return false }
        let rest = trimmed.dropFirst(key.count).drop(while: { $0 == " " || $0 == "\t" })
        return rest.first.map { separators.contains($0) } ?? false
    }

    private static func split(_ text: String) -> [String] {
        var lines = text.components(separatedBy: "\n").map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    private static func join(_ lines: [String]) -> String {
        lines.joined(separator: "\n") + "\n"
    }
}

enum ConfigFileError: Error, CustomStringConvertible {
    case unsupported(String)
    case unreadable(String)

    var description: String {
        switch self {
        case .unsupported(let parser): "Berth does not apply the \(parser) parser yet"
        case .unreadable(let reason): reason
        }
    }
}
