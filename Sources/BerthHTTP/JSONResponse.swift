import Foundation
import Hummingbird

/// JSON answers, all written with one encoder so both sides of the wire agree on the shape.
public enum JSONResponse {
    public static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }

    /// The same bytes as ``make(_:status:)`` for a value that writes itself (``JSONWriter``), without `Codable`.
    public static func make(writing value: some JSONWritable, status: HTTPResponse.Status = .ok) -> Response {
        make(written: written(value), status: status)
    }

    /// An answer of JSON written before (``written(_:)``), kept to be answered again.
    public static func make(written json: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: json))
    }

    /// The bytes ``make(writing:status:)`` answers with.
    public static func written(_ value: some JSONWritable) -> ByteBuffer {
        var writer = JSONWriter()
        value.write(to: &writer)
        return writer.buffer
    }
}
