import BerthProtocol
import Foundation
import ServiceLifecycle
import Synchronization

/// Tells the panel about every change of an instance's status, in order, retrying with backoff while the
/// panel cannot be reached. Nothing overtakes: events leave in the order they happened; while the panel is
/// away for long, older events of an instance give way to its latest (see ``queueLimit``).
final class PanelReporter: Service, Sendable {
    let connection: PanelConnection?
    private let queue = Mutex(Queue())
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    private struct Queue {
        var pending: [InstanceEvent] = []
        var nextSequence = 1
        /// With more instances than the limit, compacting again at once would gain nothing; wait until it doubles.
        var sizeAfterCompaction = 0

        /// Keeps the latest event of each instance, in their order.
        mutating func compact() {
            var seen = Set<String>()
            pending = pending.reversed().filter { seen.insert($0.status.id).inserted }.reversed()
            sizeAfterCompaction = pending.count
        }
    }

    /// The longest wait between tries while the panel cannot be reached: the heartbeat's interval, so a
    /// node whose panel (or link) returns reports what it missed no later than its next heartbeat.
    let longestWait: Duration

    /// Without a connection (a node with no panel) nothing is queued.
    init(connection: PanelConnection?, longestWait: Duration = .seconds(10)) {
        self.connection = connection
        self.longestWait = longestWait
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues the status for the panel, with the server's last lines of output when it crashed. Called in
    /// the order changes happen; never suspends.
    func report(_ status: InstanceStatus, lastLines: [String]? = nil) {
        guard connection != nil else { return }
        queue.withLock { queue in
            let now = Int(Date().timeIntervalSince1970 * 1000)
            // Time-based, so sequences keep growing across daemon restarts and the panel can drop repeats.
            let sequence = max(queue.nextSequence, now)
            queue.nextSequence = sequence + 1
            queue.pending.append(InstanceEvent(sequence: sequence, status: status, time: Int64(now), lastLines: lastLines))
            if queue.pending.count > max(Self.queueLimit, 2 * queue.sizeAfterCompaction) { queue.compact() }
        }
        wake.yield()
    }

    /// Past this many undelivered events (the panel is down, or refuses this node), only each instance's
    /// latest status is kept: the panel keeps nothing but the latest anyway, and memory stays bounded
    /// by the number of instances however long the panel is away.
    static let queueLimit = 1000

    /// Events not yet delivered, oldest first.
    var undelivered: [InstanceEvent] { queue.withLock { $0.pending } }

    func run() async throws {
        guard let connection else {
            // A node without a panel has nobody to tell; a service that ends early would stop the daemon.
            try await gracefulShutdown()
            return
        }
        // Retrying must not hold up a shutdown: what is still queued then is told by the next start's reconciliation.
        try await cancelWhenGracefulShutdown {
            await self.deliverQueued(through: connection)
        }
    }

    private func deliverQueued(through connection: PanelConnection) async {
        var backoff = Duration.milliseconds(250)
        for await _ in wakeups {
            while !Task.isCancelled {
                let batch = queue.withLock { Array($0.pending.prefix(100)) }
                guard !batch.isEmpty else { break }
                switch await connection.post(InstanceEventBatch(events: batch), to: PanelRemoteRoutes.events, what: "\(batch.count) event(s)") {
                case .delivered:
                    queue.withLock { $0.pending.removeFirst(batch.count) }
                    backoff = .milliseconds(250)
                case .refusedForGood:
                    // Sent again it would be refused again, and every later event would wait behind it
                    // for ever; it is dropped (and logged), and the next reconciliation reports the truth.
                    queue.withLock { $0.pending.removeFirst(batch.count) }
                case .failed:
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, longestWait)
                }
            }
        }
    }
}

extension PanelReporter: CustomStringConvertible {
    /// Only the name: ServiceLifecycle logs its services at debug level, and its connection holds the node's signing key.
    var description: String { "PanelReporter" }
}
