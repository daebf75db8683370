import Foundation
import Hummingbird

extension JSONResponse {
    /// A JSON array of `first` and then the pages of `rest`, written a page at a time as they come: byte
    /// for byte what ``make(_:status:)`` writes for the whole array, without ever holding it whole. The
    /// caller reads the first page before answering, so a failure there is still an error status; a failure
    /// later ends the connection, and the client sees an array cut short (invalid JSON), never a shorter
    /// list that looks complete.
    public static func streamedArray<Element: Encodable & Sendable, Rest: AsyncSequence & Sendable>(
        _ first: [Element],
        then rest: Rest
    ) throws -> Response where Rest.Element == [Element] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Each element as the whole array's encoder writes it, with a comma before all but the first.
        @Sendable func encoded(_ page: [Element], first isFirst: Bool) throws -> ByteBuffer {
            var buffer = ByteBuffer()
            for (index, element) in page.enumerated() {
                if !(isFirst && index == 0) { buffer.writeStaticString(",") }
                buffer.writeBytes(try encoder.encode(element))
            }
            return buffer
        }
        var head = ByteBuffer(string: "[")
        head.writeImmutableBuffer(try encoded(first, first: true))
        let written = head
        let startsEmpty = first.isEmpty
        return Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody { writer in
                try await writer.write(written)
                var isFirst = startsEmpty
                for try await page in rest where !page.isEmpty {
                    try await writer.write(try encoded(page, first: isFirst))
                    isFirst = false
                }
                try await writer.write(ByteBuffer(string: "]"))
                try await writer.finish(nil)
            }
        )
    }
}
