import BerthPanel
import NIOConcurrencyHelpers

/// A console relay's audit entries, written beside the relay and never in a command's way to the node: at
/// most `capacity` held at once (waiting or being written), the rest counted as dropped, as are those a
/// failed write loses. The writer takes everything waiting at once and writes it in one statement, so a
/// burst costs one write, not one each.
final class AuditQueue: Sendable {
    struct Entry: Sendable {
        let action: String
        let target: String
    }

    private struct State {
        var waiting: [Entry] = []
        var beingWritten = 0
        var dropped = 0
    }

    let capacity: Int
    private let state = NIOLockedValueBox(State())
    private let signals: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    init(capacity: Int) {
        self.capacity = capacity
        (signals, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues `entry`, or counts it as dropped when the queue is full.
    func add(_ entry: Entry) {
        state.withLockedValue { state in
            if state.waiting.count + state.beingWritten >= capacity {
                state.dropped += 1
            } else {
                state.waiting.append(entry)
            }
        }
        signal.yield()
    }

    /// No more entries come; ``drain(with:)`` writes what waits and returns.
    func finish() { signal.finish() }

    /// How many entries found the queue full, or were lost with a write that failed.
    var dropped: Int { state.withLockedValue { $0.dropped } }

    /// Writes the entries as they come, all those waiting at once, until ``finish()``.
    /// `write` says whether the batch was written.
    func drain(with write: ([Entry]) async -> Bool) async {
        for await _ in signals { await writeWaiting(with: write) }
        await writeWaiting(with: write)
    }

    private func writeWaiting(with write: ([Entry]) async -> Bool) async {
        let batch = state.withLockedValue { state in
            defer { state.waiting.removeAll() }
            state.beingWritten = state.waiting.count
            return state.waiting
        }
        guard !batch.isEmpty else { return }
        let written = await write(batch)
        state.withLockedValue { state in
            state.beingWritten = 0
            if !written { state.dropped += batch.count }
        }
    }
}
