import BerthHTTP
import Foundation
import Hummingbird

/// A request body read as a JSON object, with typed, loosely parsed fields whose errors name the field.
package struct RequestFields {
    package let values: [String: JSONValue]

    package init(values: [String: JSONValue]) {
        self.values = values
    }

    /// Reads the body; anything but a JSON object of sane size and depth is a 400 (413 when too large).
    /// The body's fields; an empty body is no fields, unless `requiringBody` (a route whose document says
    /// the body is required), where it is a 400.
    static func read(_ request: Request, maxBytes: Int = 256 * 1024, requiringBody: Bool = false) async throws -> RequestFields {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch {
            throw PanelError.tooLarge("the body is larger than \(maxBytes) bytes")
        }
        guard buffer.readableBytes > 0 else {
            if requiringBody { throw PanelError.invalid("the body is empty; send a JSON object") }
            return RequestFields(values: [:])
        }
        let bytes = Data(buffer: buffer)
        guard JSONDepth.isWithin(32, bytes) else { throw PanelError.invalid("the body is nested too deeply") }
        // An object asked for as one: asked for as any value, the decoder first tried (and threw) every other kind.
        guard let values = try? JSONDecoder().decode([String: JSONValue].self, from: bytes) else {
            throw PanelError.invalid("the body must be a JSON object")
        }
        return RequestFields(values: values)
    }

    /// Reads the body of a route whose document lists every field it takes: a field it does not know is a
    /// 400 that names it, rather than a typo (`"folders"` for `"folder"`) silently ignored.
    static func read(_ request: Request, only known: Set<String>) async throws -> RequestFields {
        let fields = try await read(request)
        if let unknown = fields.firstUnknown(among: known) {
            throw PanelError.invalid("\(unknown) is not a field of this request; it takes \(known.sorted().joined(separator: ", "))")
        }
        return fields
    }

    func has(_ field: String) -> Bool {
        if case .none = values[field] { return false }
        if case .null = values[field] { return false }
        return true
    }

    /// A required text field.
    func string(_ field: String) throws -> String {
        guard let value = try optionalString(field) else { throw PanelError.invalid("\(field) is required") }
        return value
    }

    func optionalString(_ field: String) throws -> String? {
        guard has(field), let value = values[field] else { return nil }
        guard let text = value.scalarText else { throw PanelError.invalid("\(field) must be a string") }
        // Foundation's trimming costs a few percent of a small request; most fields have nothing to trim.
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last,
            first.properties.isWhitespace || last.properties.isWhitespace
        else { return text.isEmpty ? nil : text }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// A required field that must be a JSON string, taken exactly as sent: a password, where `12345678`
    /// as a number or surrounding spaces would not be what the user typed.
    func exactString(_ field: String) throws -> String {
        guard has(field), let value = values[field] else { throw PanelError.invalid("\(field) is required") }
        guard case .string(let text) = value else { throw PanelError.invalid("\(field) must be a string") }
        guard !text.isEmpty else { throw PanelError.invalid("\(field) is required") }
        return text
    }

    /// An optional field that, when given, must be a non-empty JSON string, taken exactly as sent.
    func optionalExactString(_ field: String) throws -> String? {
        has(field) ? try exactString(field) : nil
    }

    /// True only for a real JSON boolean true, as Skyport reads `admin`: `"true"` or `1` are not true.
    func strictTrue(_ field: String) -> Bool {
        values[field] == .bool(true)
    }

    /// An optional JSON boolean; anything else is a 400.
    func optionalBool(_ field: String) throws -> Bool? {
        guard let value = value(field) else { return nil }
        guard case .bool(let flag) = value else { throw PanelError.invalid("\(field) must be true or false") }
        return flag
    }

    func value(_ field: String) -> JSONValue? { has(field) ? values[field] : nil }

    /// A required JSON array of strings.
    func strings(_ field: String) throws -> [String] {
        guard let value = value(field) else { throw PanelError.invalid("\(field) is required") }
        guard case .array(let items) = value else { throw PanelError.invalid("\(field) must be a list of strings") }
        return try items.map { item in
            guard case .string(let text) = item else { throw PanelError.invalid("\(field) must be a list of strings") }
            return text
        }
    }

    /// The first field, by name, that is not one of `known`: what a route that refuses fields it does not
    /// read names in its 400.
    func firstUnknown(among known: Set<String>) -> String? {
        values.keys.sorted().first { !known.contains($0) }
    }
}

/// Checks nesting depth before decoding, so an absurdly deep body cannot exhaust the stack.
enum JSONDepth {
    static func isWithin(_ limit: Int, _ bytes: Data) -> Bool {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > limit { return false }
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
        return true
    }
}
