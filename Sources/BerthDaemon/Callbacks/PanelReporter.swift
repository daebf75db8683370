import AsyncHTTPClient
import BerthProtocol
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Tells the panel about every change of an instance's status, in order, retrying with backoff while the
/// panel cannot be reached. Nothing overtakes: events leave in the order they happened; while the panel is
/// away for long, older events of an instance give way to its latest (see ``queueLimit``).
final class PanelReporter: Service, Sendable {
    let panelURL: String?
    let nodeToken: String
    let logger: Logger
    private let httpClient: HTTPClient
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

    init(panelURL: String?, nodeToken: String, httpClient: HTTPClient = .shared, logger: Logger) {
        self.panelURL = panelURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.nodeToken = nodeToken
        self.httpClient = httpClient
        self.logger = logger
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues the status for the panel. Called in the order changes happen; never suspends.
    func report(_ status: InstanceStatus) {
        guard panelURL != nil else { return }
        queue.withLock { queue in
            let now = Int(Date().timeIntervalSince1970 * 1000)
            // Time-based, so sequences keep growing across daemon restarts and the panel can drop repeats.
            let sequence = max(queue.nextSequence, now)
            queue.nextSequence = sequence + 1
            queue.pending.append(InstanceEvent(sequence: sequence, status: status, time: Int64(now)))
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
        guard let panelURL else {
            // A node without a panel has nobody to tell; a service that ends early would stop the daemon.
            try await gracefulShutdown()
            return
        }
        // Retrying must not hold up a shutdown: what is still queued then is told by the next start's reconciliation.
        try await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.deliverQueued(to: panelURL) }
                group.addTask { await self.sendHeartbeats(to: panelURL) }
            }
        }
    }

    /// How often the node says it is alive; the panel counts a node offline after a few missed beats.
    static let heartbeatInterval = Duration.seconds(10)

    /// What a heartbeat carries, read fresh for each one.
    private let heartbeatContent: Mutex<(@Sendable () async -> NodeInfo)?> = Mutex(nil)

    func setHeartbeatContent(_ content: @escaping @Sendable () async -> NodeInfo) {
        heartbeatContent.withLock { $0 = content }
    }

    private func sendHeartbeats(to panelURL: String) async {
        while !Task.isCancelled {
            if let content = heartbeatContent.withLock({ $0 }) {
                let info = await content()
                _ = await post(info, to: panelURL + "/api/remote/heartbeat", what: "heartbeat")
            }
            try? await Task.sleep(for: Self.heartbeatInterval)
        }
    }

    private func deliverQueued(to panelURL: String) async {
        var backoff = Duration.milliseconds(250)
        for await _ in wakeups {
            while !Task.isCancelled {
                let batch = queue.withLock { Array($0.pending.prefix(100)) }
                guard !batch.isEmpty else { break }
                if await deliver(batch, to: panelURL) {
                    queue.withLock { $0.pending.removeFirst(batch.count) }
                    backoff = .milliseconds(250)
                } else {
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, .seconds(30))
                }
            }
        }
    }

    private func deliver(_ events: [InstanceEvent], to panelURL: String) async -> Bool {
        await post(InstanceEventBatch(events: events), to: panelURL + "/api/remote/events", what: "\(events.count) event(s)")
    }

    private func post(_ body: some Encodable, to url: String, what: String) async -> Bool {
        do {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(nodeToken)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
            let response = try await httpClient.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1024 * 1024)
            guard (200..<300).contains(Int(response.status.code)) else {
                logger.warning("the panel refused \(what) with status \(response.status.code)")
                return false
            }
            return true
        } catch {
            logger.warning("the panel cannot be reached at \(url) (\(error)); \(what) wait")
            return false
        }
    }
}
