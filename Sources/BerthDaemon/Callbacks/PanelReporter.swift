import AsyncHTTPClient
import BerthProtocol
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Tells the panel about every change of an instance's status, in order, retrying with backoff while the
/// panel cannot be reached. Nothing is dropped and nothing overtakes: events leave in the order they happened.
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
            let event = InstanceEvent(sequence: queue.nextSequence, status: status, time: Int64(Date().timeIntervalSince1970 * 1000))
            queue.nextSequence += 1
            queue.pending.append(event)
        }
        wake.yield()
    }

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
            await self.deliverQueued(to: panelURL)
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
        do {
            var request = HTTPClientRequest(url: panelURL + "/api/remote/events")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(nodeToken)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(InstanceEventBatch(events: events))))
            let response = try await httpClient.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1024 * 1024)
            guard (200..<300).contains(Int(response.status.code)) else {
                logger.warning("the panel refused \(events.count) event(s) with status \(response.status.code); retrying")
                return false
            }
            return true
        } catch {
            logger.warning("the panel at \(panelURL) cannot be reached (\(error)); \(events.count) event(s) wait")
            return false
        }
    }
}
