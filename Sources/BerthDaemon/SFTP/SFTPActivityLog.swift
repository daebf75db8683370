import BerthProtocol
import NIOConcurrencyHelpers

/// Changes made over SFTP, waiting to reach the panel's audit log. Bounded: while the panel cannot be
/// reached the oldest are dropped and counted, so a busy session never grows the daemon's memory.
final class SFTPActivityLog: Sendable {
    static let capacity = 1000

    private struct Queue {
        var entries: [SFTPActivity] = []
        var dropped = 0
    }

    private let queue = NIOLockedValueBox(Queue())

    func record(_ activity: SFTPActivity) {
        queue.withLockedValue { queue in
            if queue.entries.count >= Self.capacity {
                queue.entries.removeFirst()
                queue.dropped += 1
            }
            queue.entries.append(activity)
        }
    }

    /// What waits, taken out; nil when nothing does.
    func take() -> SFTPActivityBatch? {
        queue.withLockedValue { queue in
            guard !queue.entries.isEmpty || queue.dropped > 0 else { return nil }
            defer { queue = Queue() }
            return SFTPActivityBatch(entries: queue.entries, dropped: queue.dropped)
        }
    }

    /// Puts back a batch the panel did not take, ahead of what came since, within the bound.
    func putBack(_ batch: SFTPActivityBatch) {
        queue.withLockedValue { queue in
            let merged = batch.entries + queue.entries
            let overflow = max(0, merged.count - Self.capacity)
            queue.entries = Array(merged.dropFirst(overflow))
            queue.dropped += batch.dropped + overflow
        }
    }
}
