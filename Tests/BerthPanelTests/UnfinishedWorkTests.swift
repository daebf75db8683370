import BerthTestSupport
import FluentKit
import Foundation
import SQLKit
import Testing

@testable import BerthPanel

/// What a panel process leaves half-done when it dies, finished by another: a deploy whose process went
/// away is kept when its node took it and rolled back when not; and the lease that makes one process at a
/// time do such work. (The cluster test kills a real replica mid-deploy; these pin each outcome.)
@Suite("Unfinished work: abandoned deploys and the work lease", .timeLimit(.minutes(3)))
struct UnfinishedWorkTests {
    @Test("an abandoned deploy is kept when its node has it, rolled back (ports freed) when not, and left alone while its process lives")
    func abandonedDeploys() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let store = panel.panel.instances
            let sql = panel.panel.database.sql()
            let taken = try await InstanceTests.deployReadyEcho(panel, owner: try await panel.createUser("owner"))
            #expect(try await deployingProcess(of: taken, in: sql) == nil, "a deploy its node answered is confirmed")
            let later = Date().addingTimeInterval(InstanceStore.abandonedAfter + 30)

            // Its process alive in the register: nothing happens, however old the row.
            try await sql.raw("UPDATE instances SET deploying_process = 'alive' WHERE id = \(bind: UUID(uuidString: taken))").run()
            try await sql.raw(
                "INSERT INTO panel_processes (id, acknowledged_epoch, seen_at) VALUES ('alive', 0, \(bind: Date().timeIntervalSince1970 + 3600))"
            ).run()
            await store.recoverAbandonedDeploys(at: later)
            #expect(try await deployingProcess(of: taken, in: sql) == "alive")

            // Gone, after its node took the instance: deployed.
            try await sql.raw("UPDATE instances SET deploying_process = 'vanished' WHERE id = \(bind: UUID(uuidString: taken))").run()
            await store.recoverAbandonedDeploys(at: Date())
            #expect(try await deployingProcess(of: taken, in: sql) == "vanished", "a young row waits: its process may not have registered yet")
            await store.recoverAbandonedDeploys(at: later)
            #expect(try await deployingProcess(of: taken, in: sql) == nil)
            #expect(try await panel.request(.POST, "/api/getInstance", ["id": taken]).object["InternalState"] as? String == "READY")

            // Gone before its node had it (here: the node forgot it behind the panel's back): rolled back.
            let node = try #require(try await Instance.query(on: panel.panel.database.db()).with(\.$node).first()?.node)
            try await store.daemons.deleteInstance(taken, on: node)
            try await sql.raw("UPDATE instances SET deploying_process = 'vanished' WHERE id = \(bind: UUID(uuidString: taken))").run()
            await store.recoverAbandonedDeploys(at: later)
            #expect(try await panel.request(.POST, "/api/getInstance", ["id": taken]).status == 400, "the row is gone")
            let allocations = try await Allocation.query(on: panel.panel.database.db()).count()
            #expect(allocations == 0, "its ports are free again")
        }
    }

    @Test("a work lease is held by one process at a time, renewed by its holder, and taken over once it expires")
    func workLease() async throws {
        try await TestPanel.with { panel in
            let first = WorkLease(database: panel.panel.database, name: "test-work", holder: "first")
            let second = WorkLease(database: panel.panel.database, name: "test-work", holder: "second")
            #expect(try await first.take(for: 60))
            #expect(try await !second.take(for: 60), "held by the first")
            #expect(try await first.take(for: 0.3), "renewed by its holder")
            try await Task.sleep(for: .seconds(1))
            #expect(try await second.take(for: 60), "expired, so taken over")
            #expect(try await !first.take(for: 60))
        }
    }

    private func deployingProcess(of id: String, in sql: any SQLDatabase) async throws -> String? {
        let row = try await sql.raw("SELECT deploying_process FROM instances WHERE id = \(bind: UUID(uuidString: id))").first()
        return try row?.decodeNil(column: "deploying_process") == false ? try row?.decode(column: "deploying_process", as: String.self) : nil
    }
}
