import BerthHTTP
import BerthProtocol
import BerthTestSupport
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import BerthDaemon

/// The daemon's side of the callbacks, against a small real HTTP server that records what reaches
/// `/api/remote/events` exactly as the panel receives it, and that can come up late on purpose (the
/// panel's side is tested end to end in the panel's suite).
@Suite("Callbacks to the panel", .timeLimit(.minutes(2)))
struct PanelCallbackTests {
    final class Received: Sendable {
        private let state = Mutex<(events: [InstanceEvent], signedBy: Set<String>)>(([], []))
        /// The keys a batch's signature is checked against.
        let keys: [String]

        init(keys: [String] = []) {
            self.keys = keys
        }

        /// Records the batch and which of ``keys`` signed it ("none" when none did); answers the batch.
        func add(_ request: Request) async throws -> InstanceEventBatch {
            let body = try await request.collectBody()
            let batch = try JSONDecoder().decode(InstanceEventBatch.self, from: body)
            let signature = CallbackSignature(headers: request.headers)
            let signer = keys.first { signature?.isValid(method: "POST", path: PanelRemoteRoutes.events.pattern, body: body, key: $0) == true }
            state.withLock {
                $0.events.append(contentsOf: batch.events)
                $0.signedBy.insert(signer ?? "none")
            }
            return batch
        }

        var events: [InstanceEvent] { state.withLock { $0.events } }
        var signedBy: Set<String> { state.withLock { $0.signedBy } }
    }

    @Test("a batch the panel refuses for good is dropped, so later events do not wait behind it for ever")
    func refusedBatchDropped() async throws {
        let panelPort = try TestPorts.free()
        let received = Received()
        let router = Router()
        router.post(RouterPath(PanelRemoteRoutes.events.pattern)) { request, _ -> Response in
            let batch = try await received.add(request)
            // A batch with this event is one this panel will never take; any other is fine.
            return Response(status: batch.events.contains { $0.status.id == "poison" } ? .badRequest : .noContent)
        }
        let panel = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: panelPort)),
            logger: Logger(label: "test.panel")
        )
        let reporter = PanelReporter(
            connection: PanelConnection(
                panelURL: "http://127.0.0.1:\(panelPort)",
                signingKey: "key",
                httpClient: .shared,
                logger: Logger(label: "test.reporter")
            )
        )
        let group = ServiceGroup(services: [panel, reporter], gracefulShutdownSignals: [], logger: Logger(label: "test.group"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            reporter.report(InstanceStatus(id: "poison", installState: .ready, powerState: .running, suspended: false))
            let deadline = ContinuousClock.now + .seconds(30)
            while !received.events.contains(where: { $0.status.id == "poison" }) {
                guard ContinuousClock.now < deadline else { throw TestFailure("the first batch never reached the panel") }
                try await Task.sleep(for: .milliseconds(20))
            }
            reporter.report(InstanceStatus(id: "later", installState: .ready, powerState: .offline, suspended: false))
            while !received.events.contains(where: { $0.status.id == "later" }) || !reporter.undelivered.isEmpty {
                guard ContinuousClock.now < deadline else {
                    throw TestFailure("the queue is stuck behind the refused batch: \(reporter.undelivered.map(\.status.id))")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(received.events.filter { $0.status.id == "poison" }.count == 1, "a refused batch is not sent again")
    }

    @Test("while the panel is away, the queue keeps each instance's latest status and stays bounded")
    func boundedQueue() {
        // Nothing listens on this port: every delivery would fail, so everything stays queued.
        let reporter = PanelReporter(
            connection: PanelConnection(
                panelURL: "http://127.0.0.1:9",
                signingKey: "key",
                httpClient: .shared,
                logger: Logger(label: "test.reporter")
            )
        )
        for round in 0..<1500 {
            for id in ["a", "b"] {
                reporter.report(
                    InstanceStatus(
                        id: id,
                        installState: .ready,
                        powerState: round % 2 == 0 ? .running : .offline,
                        suspended: false,
                        lastExitCode: round
                    )
                )
            }
        }
        let queued = reporter.undelivered
        #expect(queued.count <= PanelReporter.queueLimit)
        #expect(queued.last(where: { $0.status.id == "a" })?.status.lastExitCode == 1499, "the latest status is never dropped")
        #expect(queued.last(where: { $0.status.id == "b" })?.status.lastExitCode == 1499)
        #expect(queued.map(\.sequence) == queued.map(\.sequence).sorted(), "what is kept stays in order")
    }

    @Test("every change reaches the panel in order, even when the panel comes up late")
    func orderedDeliveryWithRetry() async throws {
        let panelPort = try TestPorts.free()
        let token = "node-token-\(UUID().uuidString)"
        let callbackKey = "callback-key-\(UUID().uuidString)"
        let received = Received(keys: [token, callbackKey])
        try await TestDaemon.with(token: token, callbackKey: callbackKey, panelURL: "http://127.0.0.1:\(panelPort)") { daemon in
            let specification = TestDaemon.echoSpecification()
            let id = specification.id
            try await daemon.deployRunning(specification)
            // The panel is down all this while; now it comes up.
            let router = Router()
            router.post(RouterPath(PanelRemoteRoutes.events.pattern)) { request, _ -> Response in
                _ = try await received.add(request)
                return Response(status: .noContent)
            }
            let panel = Application(
                router: router,
                configuration: .init(address: .hostname("127.0.0.1", port: panelPort)),
                logger: Logger(label: "test.panel")
            )
            let group = ServiceGroup(services: [panel], gracefulShutdownSignals: [], logger: Logger(label: "test.panel"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let deadline = ContinuousClock.now + .seconds(60)
                while !received.events.contains(where: { $0.status.id == id && $0.status.powerState == .running }) {
                    guard ContinuousClock.now < deadline else { throw TestFailure("the running state never reached the panel: \(received.events)") }
                    try await Task.sleep(for: .milliseconds(100))
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
        // Delivery is at least once: a post whose answer was lost (a timeout on a loaded machine) is sent
        // again with the same sequences, which the panel ignores. So a repeat must be the same event, and
        // what is new must come in order.
        let delivered = received.events
        #expect(zip(delivered, delivered.dropFirst()).allSatisfy { $0.sequence < $1.sequence || $0 == $1 }, "no event out of order")
        let events = delivered.enumerated().filter { $0.offset == 0 || delivered[$0.offset - 1] != $0.element }.map(\.element)
        let states = events.map { "\($0.status.installState.rawValue)/\($0.status.powerState.rawValue)" }
        #expect(states == ["INSTALLING/offline", "READY/offline", "READY/starting", "READY/running"])
        #expect(received.signedBy == [callbackKey], "every batch is signed with the callback key, never the token the panel presents")
    }
}
