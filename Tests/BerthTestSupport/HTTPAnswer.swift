import AsyncHTTPClient
import BerthProtocol
import Foundation
import NIOCore
import NIOHTTP1

/// What a test's HTTP request got back.
public struct HTTPAnswer: Sendable {
    public let status: Int
    public let body: Data
    /// The response's headers, by lowercased name (the last value of a repeated one).
    public let headers: [String: String]

    public init(status: Int, body: Data, headers: [String: String] = [:]) {
        self.status = status
        self.body = body
        self.headers = headers
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
    /// The `{"error": ...}` message of an error answer.
    public var error: String? { try? JSONDecoder().decode(ErrorBody.self, from: body).error }
    public var json: Any? { try? JSONSerialization.jsonObject(with: body) }
    public var object: [String: Any] { json as? [String: Any] ?? [:] }
    public var array: [[String: Any]] { json as? [[String: Any]] ?? [] }

    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: body)
    }

    /// One request to a test server on loopback, with a JSON body when given.
    public static func request(
        _ method: HTTPMethod,
        _ url: String,
        headers: [(String, String)] = [],
        json: String? = nil,
        bytes: Data? = nil
    ) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        if let bytes { request.body = .bytes(ByteBuffer(bytes: bytes)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 16 << 20)
        let fields = Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
        return HTTPAnswer(status: Int(response.status.code), body: Data(buffer: body), headers: fields)
    }
}
