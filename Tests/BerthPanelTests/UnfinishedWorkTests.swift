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

    @Test(
        "a transfer whose panel process stopped: kept when the target has the instance ready, rolled back when not, left alone while its process lives"
    )
    func abandonedTransfers() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let store = panel.panel.instances
            let db = panel.panel.database.db()
            let sql = panel.panel.database.sql()
            let owner = try await panel.createUser("owner")
            let kept = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            let rolledBack = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            let source = try #require(try await Instance.query(on: db).with(\.$node).first()?.node)
            let sourceID = try source.requireID()
            // The target: a second row for the same daemon, as a node the panel knows twice would be. What
            // the daemon has, the target has.
            let twinID = UUID()
            try await sql.raw(
                """
                INSERT INTO nodes (id, name, tags, ram, disk, processor_label, cores, port_ranges, memory_overallocation, \
                cpu_overallocation, maintenance, default_disk, address, port, token, callback_key, token_digest, certificate, \
                offered_certificate, last_seen_at, reported_offline, daemon_version, sftp_port, sftp_fingerprint, created_at) \
                SELECT \(bind: twinID), 'twin', tags, ram, disk, processor_label, cores, port_ranges, memory_overallocation, \
                cpu_overallocation, maintenance, default_disk, address, port, token, callback_key, \(bind: UUID().uuidString), certificate, \
                offered_certificate, last_seen_at, reported_offline, daemon_version, sftp_port, sftp_fingerprint, created_at \
                FROM nodes WHERE id = \(bind: sourceID)
                """
            ).run()
            func transfer(_ instance: String, by process: String) async throws -> Transfer {
                let transfer = Transfer()
                transfer.$instance.id = try #require(UUID(uuidString: instance))
                transfer.sourceNodeID = sourceID
                transfer.targetNodeID = twinID
                transfer.live = false
                transfer.process = process
                transfer.state = "sending"
                transfer.sourceRemoved = false
                try await transfer.create(on: db)
                return transfer
            }
            let later = Date().addingTimeInterval(InstanceStore.abandonedAfter + 30)

            // Its process alive: nothing happens.
            try await sql.raw(
                "INSERT INTO panel_processes (id, acknowledged_epoch, seen_at) VALUES ('alive', 0, \(bind: Date().timeIntervalSince1970 + 3600))"
            ).run()
            let living = try await transfer(kept, by: "alive")
            await store.recoverAbandonedTransfers(at: later)
            #expect(try await Transfer.find(living.id, on: db)?.state == "sending")
            try await living.delete(on: db)

            // Gone, and the target has it ready: the row moves there, the source's copy goes.
            let finished = try await transfer(kept, by: "vanished")
            await store.recoverAbandonedTransfers(at: Date())
            #expect(try await Transfer.find(finished.id, on: db)?.state == "sending", "a young transfer waits")
            await store.recoverAbandonedTransfers(at: later)
            let done = try #require(try await Transfer.find(finished.id, on: db))
            #expect(done.state == "done" && done.sourceRemoved, "\(done.state) \(done.sourceRemoved) \(done.error ?? "")")
            let moved = try await panel.request(.POST, "/api/getInstance", ["id": kept])
            #expect((moved.object["Node"] as? [String: Any])?["id"] as? String == twinID.uuidString.lowercased())

            // Gone, and the target never got it (here: the daemon forgot it): rolled back, the target's ports freed.
            let held = try await Allocation.query(on: db).filter(\.$instance.$id == UUID(uuidString: rolledBack)!).first()
            try await Allocation(nodeID: twinID, port: try #require(held).port, instanceID: try #require(UUID(uuidString: rolledBack))).create(on: db)
            try await store.daemons.deleteInstance(rolledBack, on: source)
            let abandoned = try await transfer(rolledBack, by: "vanished")
            await store.recoverAbandonedTransfers(at: later)
            let failed = try #require(try await Transfer.find(abandoned.id, on: db))
            #expect(
                failed.state == "failed" && failed.error?.contains("the panel process carrying it out stopped") == true,
                "\(failed.state) \(failed.error ?? "")"
            )
            #expect(try await Allocation.query(on: db).filter(\.$node.$id == twinID).count() == 0, "no port is held on the target")
            let stayed = try await panel.request(.POST, "/api/getInstance", ["id": rolledBack])
            #expect((stayed.object["Node"] as? [String: Any])?["id"] as? String == sourceID.uuidString.lowercased())
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
