import Foundation
import Hummingbird

extension JSONResponse {
    /// A JSON array of `first` and then the pages of `rest`, written a page at a time as they come: byte
    /// for byte what ``make(_:status:)`` writes for the whole array (through ``JSONWriter``), without ever
    /// holding it whole. The caller reads the first page before answering, so a failure there is still an
    /// error status; a failure later ends the connection, and the client sees an array cut short (invalid
    /// JSON), never a shorter list that looks complete.
    public static func streamedArray<Element: JSONWritable & Sendable, Rest: AsyncSequence & Sendable>(
        _ first: [Element],
        then rest: Rest
    ) -> Response where Rest.Element == [Element] {
        // Each element as the whole array's encoder writes it, with a comma before all but the first.
        @Sendable func encoded(_ page: [Element], first isFirst: Bool, after head: ByteBuffer = ByteBuffer()) -> ByteBuffer {
            var writer = JSONWriter(into: head)
            for (index, element) in page.enumerated() {
                if !(isFirst && index == 0) { writer.comma() }
                element.write(to: &writer)
            }
            return writer.buffer
        }
        let head = encoded(first, first: true, after: ByteBuffer(string: "["))
        let startsEmpty = first.isEmpty
        return Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody { writer in
                try await writer.write(head)
                var isFirst = startsEmpty
                for try await page in rest where !page.isEmpty {
                    try await writer.write(encoded(page, first: isFirst))
                    isFirst = false
                }
                try await writer.write(ByteBuffer(string: "]"))
                try await writer.finish(nil)
            }
        )
    }
}
