import Hummingbird
import Synchronization

/// A response body written once, a chunk at a time, and answered to any number of requests: each reads it
/// from its start, while it is still being written and after. So requests that ask for the same large answer
/// at once share one writing of it and one copy of its bytes.
public final class SharedBody: Sendable {
    private struct State {
        var chunks: [ByteBuffer] = []
        /// The chunks joined, once the body is complete: a request that comes then writes it in one go.
        var whole: ByteBuffer?
        var end: Result<Void, any Error>?
        var waiting: [(index: Int, continuation: CheckedContinuation<ByteBuffer?, any Error>)] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Adds the next chunk, and hands it to the readers waiting for it.
    public func append(_ chunk: ByteBuffer) {
        let ready = state.withLock { state in
            state.chunks.append(chunk)
            let index = state.chunks.count - 1
            let ready = state.waiting.filter { $0.index == index }.map(\.continuation)
            state.waiting.removeAll { $0.index == index }
            return ready
        }
        for continuation in ready { continuation.resume(returning: chunk) }
    }

    /// Ends the body: completely, or cut short by `error`, which every reader past the last chunk gets.
    public func finish(throwing error: (any Error)? = nil) {
        // Nothing is appended after the end, so the chunks read here are all of them.
        let joined = error == nil ? Self.joined(state.withLock { $0.chunks }) : nil
        let waiting = state.withLock { state in
            if let joined {
                // The chunks become views of the joined bytes, so the body is held once.
                state.whole = joined.whole
                state.chunks = joined.chunks
            }
            state.end = error.map { .failure($0) } ?? .success(())
            defer { state.waiting = [] }
            return state.waiting.map(\.continuation)
        }
        for continuation in waiting {
            if let error { continuation.resume(throwing: error) } else { continuation.resume(returning: nil) }
        }
    }

    /// The chunks in one buffer, and each chunk again as a view of it.
    private static func joined(_ chunks: [ByteBuffer]) -> (whole: ByteBuffer, chunks: [ByteBuffer]) {
        var whole = ByteBuffer()
        whole.reserveCapacity(chunks.reduce(0) { $0 + $1.readableBytes })
        for var chunk in chunks { whole.writeBuffer(&chunk) }
        // Sliced once all is written: a view taken earlier would make the next write copy the bytes.
        var start = whole.readerIndex
        let views = chunks.map { chunk in
            defer { start += chunk.readableBytes }
            return whole.getSlice(at: start, length: chunk.readableBytes) ?? ByteBuffer()
        }
        return (whole, views)
    }

    /// The chunk at `index`, once it is written; nil past the end of a finished body.
    public func chunk(_ index: Int) async throws -> ByteBuffer? {
        try await withCheckedThrowingContinuation { continuation in
            state.withLock { state in
                if index < state.chunks.count {
                    continuation.resume(returning: state.chunks[index])
                } else if let end = state.end {
                    continuation.resume(with: end.map { nil })
                } else {
                    state.waiting.append((index, continuation))
                }
            }
        }
    }

    /// A JSON answer of this body. It waits for the first chunk, so a body that fails before it is an error
    /// status; a failure later ends the connection, and the client sees the answer cut short.
    public func jsonResponse() async throws -> Response {
        let headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let whole = state.withLock({ $0.whole }) {
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: whole))
        }
        let first = try await chunk(0)
        return Response(
            status: .ok,
            headers: headers,
            body: ResponseBody { writer in
                var index = 0
                var next = first
                while let chunk = next {
                    try await writer.write(chunk)
                    index += 1
                    next = try await self.chunk(index)
                }
                try await writer.finish(nil)
            }
        )
    }
}
