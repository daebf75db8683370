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
        let array = JSONArrayWriting(first: first, rest: rest)
        return Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody { writer in
                try await array.write { try await writer.write($0) }
                try await writer.finish(nil)
            }
        )
    }
}

/// The bytes of a JSON array of `first` and then the pages of `rest`, a page at a time: the opening
/// bracket with the first page, each later page, the closing bracket.
public struct JSONArrayWriting<Element: JSONWritable & Sendable, Rest: AsyncSequence & Sendable>: Sendable
where Rest.Element == [Element] {
    let head: ByteBuffer
    let startsEmpty: Bool
    let rest: Rest

    /// Encodes the first page now, so the caller holds its bytes before answering.
    public init(first: [Element], rest: Rest) {
        head = Self.encoded(first, first: true, after: ByteBuffer(string: "["))
        startsEmpty = first.isEmpty
        self.rest = rest
    }

    /// Hands each chunk to `sink` as its page comes.
    public func write(to sink: (ByteBuffer) async throws -> Void) async throws {
        try await sink(head)
        var isFirst = startsEmpty
        for try await page in rest where !page.isEmpty {
            try await sink(Self.encoded(page, first: isFirst))
            isFirst = false
        }
        try await sink(ByteBuffer(string: "]"))
    }

    /// Each element as the whole array's encoder writes it, with a comma before all but the first.
    private static func encoded(_ page: [Element], first isFirst: Bool, after head: ByteBuffer = ByteBuffer()) -> ByteBuffer {
        var writer = JSONWriter(into: head)
        for (index, element) in page.enumerated() {
            if !(isFirst && index == 0) { writer.comma() }
            element.write(to: &writer)
        }
        return writer.buffer
    }
}
