import BerthHTTP
import NIOCore
import Testing

/// ``SharedBody``: one writing, read whole by every reader, whenever it started reading.
@Suite("A body shared by the requests that ask at once")
struct SharedBodyTests {
    @Test("readers that start before, during and after the writing each read every byte in order")
    func readersAtEveryStage() async throws {
        let body = SharedBody()
        let chunks = (0..<50).map { ByteBuffer(string: "chunk \($0) " + String(repeating: "x", count: $0 * 7)) }
        let expected = chunks.map { String(buffer: $0) }.joined()
        @Sendable func readAll() async throws -> String {
            var text = ""
            var index = 0
            while let chunk = try await body.chunk(index) {
                text += String(buffer: chunk)
                index += 1
            }
            return text
        }
        let texts = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<4 { group.addTask { try await readAll() } }
            for (index, chunk) in chunks.enumerated() {
                body.append(chunk)
                if index == 25 { for _ in 0..<4 { group.addTask { try await readAll() } } }
                await Task.yield()
            }
            body.finish()
            for _ in 0..<4 { group.addTask { try await readAll() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(texts.count == 12 && texts.allSatisfy { $0 == expected })
    }

    @Test("a writing cut short gives every reader the chunks written, then the error")
    func cutShort() async throws {
        struct Failed: Error {}
        let body = SharedBody()
        body.append(ByteBuffer(string: "["))
        // Waiting for the next chunk when the writing fails (or asking just after: the same answer).
        let waiting = Task { try await body.chunk(1) }
        try await Task.sleep(for: .milliseconds(50))
        body.finish(throwing: Failed())
        await #expect(throws: Failed.self) { _ = try await waiting.value }
        #expect(try await body.chunk(0).map { String(buffer: $0) } == "[")
        await #expect(throws: Failed.self) { _ = try await body.chunk(1) }
    }
}
