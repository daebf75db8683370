import BerthHTTP
import BerthPanel
import Foundation

/// The fields of an HTML form (`application/x-www-form-urlencoded`), with errors that name the field.
struct FormFields: Sendable {
    private(set) var values: [String: [String]] = [:]

    init() {}

    init(encoded body: String) {
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]) else { continue }
            let value = parts.count > 1 ? Self.decode(parts[1]) ?? "" : ""
            values[name, default: []].append(value)
        }
    }

    /// The field's text, trimmed; nil when absent or blank.
    func optional(_ name: String) -> String? {
        guard let value = values[name]?.first?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// The field's text exactly as sent (passwords keep their spaces).
    func raw(_ name: String) -> String { values[name]?.first ?? "" }

    func required(_ name: String, label: String) throws -> String {
        guard let value = optional(name) else { throw PanelError.invalid("\(label) is required") }
        return value
    }

    /// The fields as the API's input reader sees them, so forms and the API check input the same way.
    /// A field left blank counts as not given, as an optional field of a form means.
    var requestFields: RequestFields {
        RequestFields(values: values.keys.reduce(into: [:]) { fields, name in fields[name] = optional(name).map(JSONValue.string) })
    }

    /// A checkbox: present means on.
    func isChecked(_ name: String) -> Bool { values[name] != nil }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
