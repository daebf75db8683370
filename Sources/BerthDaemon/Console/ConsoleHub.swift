import BerthProtocol
import Synchronization

/// One instance's console: output fanned out to every viewer, the last lines kept for viewers who join
/// later, and a ceiling on how fast output is passed on so a flooding process cannot drown the node.
///
/// A lock rather than an actor: publishing keeps the order in which the session and the supervisor
/// call it, and never suspends them.
final class ConsoleHub: Sendable {
    /// Lines kept for replay.
    let replayLines: Int
    /// Most lines passed on per second; the rest are dropped with one notice.
    let linesPerSecond: Int
    private let state = Mutex(State())

    private struct State {
        var replay: [String] = []
        var partialLine = ""
        var viewers: [Int: AsyncStream<ConsoleMessage>.Continuation] = [:]
        var nextViewer = 0
        var windowStart = ContinuousClock.now
        var linesInWindow = 0
        var throttled = false

        var recentOutput: String { replay.joined() + partialLine }

        func broadcast(_ message: ConsoleMessage) {
            for continuation in viewers.values {
                continuation.yield(message)
            }
        }

        mutating func remember(_ text: String, keeping replayLines: Int) {
            var pieces = (partialLine + text).split(separator: "\n", omittingEmptySubsequences: false)
            partialLine = String(pieces.removeLast())
            replay.append(contentsOf: pieces.map { String($0) + "\n" })
            if partialLine.count > 16 * 1024 {
                replay.append(partialLine)
                partialLine = ""
            }
            if replay.count > replayLines {
                replay.removeFirst(replay.count - replayLines)
            }
        }
    }

    init(replayLines: Int = 150, linesPerSecond: Int = 5000) {
        self.replayLines = replayLines
        self.linesPerSecond = linesPerSecond
    }

    /// A new viewer's stream: the replay first, then everything as it happens. A viewer that reads too
    /// slowly loses its oldest messages instead of making the daemon hold them.
    func subscribe() -> (id: Int, messages: AsyncStream<ConsoleMessage>) {
        let (stream, continuation) = AsyncStream.makeStream(of: ConsoleMessage.self, bufferingPolicy: .bufferingNewest(1000))
        let id = state.withLock { state in
            let replayed = state.recentOutput
            if !replayed.isEmpty {
                continuation.yield(ConsoleMessage(event: .output, data: replayed))
            }
            let id = state.nextViewer
            state.nextViewer += 1
            state.viewers[id] = continuation
            return id
        }
        return (id, stream)
    }

    func unsubscribe(_ id: Int) {
        state.withLock { $0.viewers.removeValue(forKey: id) }?.finish()
    }

    /// Ends every viewer's stream, e.g. when the instance is deleted or suspended.
    func disconnectAll() {
        let viewers = state.withLock { state in
            defer { state.viewers.removeAll() }
            return state.viewers.values
        }
        for continuation in viewers { continuation.finish() }
    }

    var viewerCount: Int { state.withLock { $0.viewers.count } }

    /// The replay buffer as text.
    var recentOutput: String { state.withLock { $0.recentOutput } }

    func publishOutput(_ text: String) {
        let lines = max(text.utf8.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }, 1)
        state.withLock { state in
            state.remember(text, keeping: replayLines)
            let now = ContinuousClock.now
            if now - state.windowStart >= .seconds(1) {
                state.windowStart = now
                state.linesInWindow = 0
                state.throttled = false
            }
            state.linesInWindow += lines
            guard state.linesInWindow <= linesPerSecond else {
                if !state.throttled {
                    state.throttled = true
                    state.broadcast(
                        ConsoleMessage(event: .notice, data: "output is arriving faster than \(linesPerSecond) lines a second; some is not shown")
                    )
                }
                return
            }
            state.broadcast(ConsoleMessage(event: .output, data: text))
        }
    }

    func publish(_ message: ConsoleMessage) {
        state.withLock { $0.broadcast(message) }
    }
}
