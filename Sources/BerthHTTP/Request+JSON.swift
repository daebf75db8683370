import Foundation
import Hummingbird

extension Request {
    /// The body decoded as `type`; a body that is missing, too large or not the expected JSON is a 400
    /// (413 when too large) that says what is wrong.
    public func decodeJSON<Body: Decodable>(as type: Body.Type, maxBytes: Int = 1 << 20) async throws -> Body {
        try Self.decodeJSON(as: type, from: try await collectBody(maxBytes: maxBytes))
    }

    /// The whole body; one larger than `maxBytes` is a 413.
    public func collectBody(maxBytes: Int = 1 << 20) async throws -> Data {
        do {
            return Data(buffer: try await body.collect(upTo: maxBytes))
        } catch {
            throw APIError(.contentTooLarge, "the body is larger than \(maxBytes) bytes")
        }
    }

    /// `bytes` decoded as `type`, or a 400 that says what is wrong.
    public static func decodeJSON<Body: Decodable>(as type: Body.Type, from bytes: Data) throws -> Body {
        guard !bytes.isEmpty else { throw APIError.badRequest("the body is empty; send JSON") }
        do {
            return try JSONDecoder().decode(Body.self, from: bytes)
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError.badRequest("field \(key.stringValue) is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError.badRequest(field.isEmpty ? "the body must be a JSON object" : "field \(field) has the wrong type")
        } catch let DecodingError.dataCorrupted(context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError.badRequest(field.isEmpty ? "the body is not valid JSON" : "field \(field) has an invalid value")
        } catch {
            throw APIError.badRequest("the body is not valid JSON")
        }
    }
}
