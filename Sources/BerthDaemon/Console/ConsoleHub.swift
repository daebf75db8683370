import BerthProtocol
import Synchronization

/// One instance's console: output fanned out to every viewer, the last lines kept for viewers who join
/// later, and a ceiling on how fast output is passed on so a flooding process cannot drown the node.
/// Memory is bounded in bytes, not only in lines or messages: the replay holds at most ``replayBytes``,
/// and a viewer that reads slowly has at most ``viewerBacklogBytes`` waiting; past that its messages are
/// dropped, with one notice, until it catches up.
///
/// A lock rather than an actor: publishing keeps the order in which the session and the supervisor
/// call it, and never suspends them.
final class ConsoleHub: Sendable {
    /// Lines kept for replay.
    let replayLines: Int
    /// Most lines passed on per second; the rest are dropped with one notice.
    let linesPerSecond: Int
    let replayBytes: Int
    let viewerBacklogBytes: Int
    private let state = Mutex(State())

    private struct Viewer {
        let continuation: AsyncStream<ConsoleMessage>.Continuation
        /// Bytes yielded and not yet delivered.
        var backlog = 0
        var lagging = false
    }

    private struct State {
        var replay: [String] = []
        var replaySize = 0
        var partialLine = ""
        var viewers: [Int: Viewer] = [:]
        var nextViewer = 0
        var windowStart = ContinuousClock.now
        var linesInWindow = 0
        var throttled = false

        var recentOutput: String { replay.joined() + partialLine }

        mutating func broadcast(_ message: ConsoleMessage, backlogLimit: Int) {
            let size = message.data?.utf8.count ?? 0
            for (id, var viewer) in viewers {
                if viewer.backlog + size > backlogLimit {
                    if !viewer.lagging {
                        viewer.lagging = true
                        viewer.continuation.yield(
                            ConsoleMessage(event: .notice, data: "your connection is too slow for this console; some output is not shown")
                        )
                    }
                } else {
                    viewer.backlog += size
                    viewer.continuation.yield(message)
                }
                viewers[id] = viewer
            }
        }

        mutating func remember(_ text: String, keeping replayLines: Int, bytes replayBytes: Int) {
            var pieces = (partialLine + text).split(separator: "\n", omittingEmptySubsequences: false)
            partialLine = String(pieces.removeLast())
            let lines = pieces.map { String($0) + "\n" }
            replay.append(contentsOf: lines)
            replaySize += lines.reduce(0) { $0 + $1.utf8.count }
            if partialLine.utf8.count > 16 * 1024 {
                replay.append(partialLine)
                replaySize += partialLine.utf8.count
                partialLine = ""
            }
            var dropped = 0
            while dropped < replay.count && (replay.count - dropped > replayLines || replaySize > replayBytes) {
                replaySize -= replay[dropped].utf8.count
                dropped += 1
            }
            replay.removeFirst(dropped)
        }
    }

    init(replayLines: Int = 150, linesPerSecond: Int = 5000, replayBytes: Int = 64 * 1024, viewerBacklogBytes: Int = 1 << 20) {
        self.replayLines = replayLines
        self.linesPerSecond = linesPerSecond
        self.replayBytes = replayBytes
        self.viewerBacklogBytes = viewerBacklogBytes
    }

    /// A new viewer's stream: the replay first, then everything as it happens. Its reader reports each
    /// message it passed on (``delivered(_:to:)``); a viewer too far behind loses messages instead of
    /// making the daemon hold them.
    func subscribe() -> (id: Int, messages: AsyncStream<ConsoleMessage>) {
        let (stream, continuation) = AsyncStream.makeStream(of: ConsoleMessage.self)
        let id = state.withLock { state in
            var viewer = Viewer(continuation: continuation)
            let replayed = state.recentOutput
            if !replayed.isEmpty {
                viewer.backlog = replayed.utf8.count
                continuation.yield(ConsoleMessage(event: .output, data: replayed))
            }
            let id = state.nextViewer
            state.nextViewer += 1
            state.viewers[id] = viewer
            return id
        }
        return (id, stream)
    }

    /// The viewer's reader passed `message` on: its bytes no longer count against the viewer's backlog.
    func delivered(_ message: ConsoleMessage, to id: Int) {
        let size = message.data?.utf8.count ?? 0
        state.withLock { state in
            guard var viewer = state.viewers[id] else { return }
            viewer.backlog = max(0, viewer.backlog - size)
            if viewer.lagging && viewer.backlog <= viewerBacklogBytes / 2 { viewer.lagging = false }
            state.viewers[id] = viewer
        }
    }

    func unsubscribe(_ id: Int) {
        state.withLock { $0.viewers.removeValue(forKey: id) }?.continuation.finish()
    }

    /// Ends every viewer's stream, e.g. when the instance is deleted or suspended.
    func disconnectAll() {
        let viewers = state.withLock { state in
            defer { state.viewers.removeAll() }
            return state.viewers.values
        }
        for viewer in viewers { viewer.continuation.finish() }
    }

    var viewerCount: Int { state.withLock { $0.viewers.count } }

    /// The replay buffer as text.
    var recentOutput: String { state.withLock { $0.recentOutput } }

    /// The server's last `count` lines of output, each cut at 500 characters: what a crash report shows.
    func lastLines(_ count: Int) -> [String] {
        let lines = recentOutput.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.dropLast(lines.last?.isEmpty == true ? 1 : 0).suffix(count).map { String($0.prefix(500)) }
    }

    func publishOutput(_ text: String) {
        let lines = max(text.utf8.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }, 1)
        state.withLock { state in
            state.remember(text, keeping: replayLines, bytes: replayBytes)
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
                        ConsoleMessage(event: .notice, data: "output is arriving faster than \(linesPerSecond) lines a second; some is not shown"),
                        backlogLimit: viewerBacklogBytes
                    )
                }
                return
            }
            state.broadcast(ConsoleMessage(event: .output, data: text), backlogLimit: viewerBacklogBytes)
        }
    }

    /// One of Berth's own lines about the process (marked as running, crashed with its exit code…): a
    /// notice to those watching, which the page shows apart from the server's output, and in the replay
    /// with a `[Berth]` prefix for those who come later. Never throttled: a flooding process cannot hide it.
    func publishNotice(_ text: String) {
        state.withLock { state in
            state.remember("[Berth] \(text)\n", keeping: replayLines, bytes: replayBytes)
            state.broadcast(ConsoleMessage(event: .notice, data: text), backlogLimit: viewerBacklogBytes)
        }
    }

    func publish(_ message: ConsoleMessage) {
        state.withLock { $0.broadcast(message, backlogLimit: viewerBacklogBytes) }
    }
}
