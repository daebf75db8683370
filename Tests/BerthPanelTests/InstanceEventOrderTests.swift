import BerthProtocol
import BerthTestSupport
import FluentKit
import Foundation
import Testing

@testable import BerthPanel

/// A node's events carry sequence numbers; the panel keeps the state of the newest it was given, however
/// the requests carrying them arrive (a retried batch beside a new one, replicas behind one address).
@Suite("Events from a node, out of order", .timeLimit(.minutes(3)))
struct InstanceEventOrderTests {
    @Test("an older event after a newer one changes nothing; of many applied at once, the newest stays")
    func newestWins() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            let nodeID = try #require(panel.node.flatMap { UUID(uuidString: $0.id) })
            let node = try #require(try await Node.find(nodeID, on: panel.panel.database.db()))
            let instances = panel.panel.instances
            // Far above the node's own sequence numbers, so its reports meanwhile are the older ones.
            let base = Int(Date().timeIntervalSince1970 * 1000) + 10_000_000
            @Sendable func event(_ offset: Int) -> InstanceEvent {
                InstanceEvent(
                    sequence: base + offset,
                    status: InstanceStatus(id: id, installState: .ready, powerState: .offline, suspended: false, reason: "event \(offset)"),
                    time: 0
                )
            }
            @Sendable func reason() async throws -> String? {
                try await Instance.find(UUID(uuidString: id), on: panel.panel.database.db())?.reason
            }

            try await instances.apply([event(10)], from: node)
            try await instances.apply([event(5)], from: node)
            #expect(try await reason() == "event 10", "the older event was not applied over the newer")

            try await withThrowingTaskGroup(of: Void.self) { group in
                for offset in (11...40).shuffled() {
                    group.addTask { try await instances.apply([event(offset)], from: node) }
                }
                try await group.waitForAll()
            }
            #expect(try await reason() == "event 40", "the newest of thirty applied at once")
        }
    }
}
