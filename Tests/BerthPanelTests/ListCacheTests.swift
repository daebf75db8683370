import BerthTestSupport
import FluentPostgresDriver
import Foundation
import Logging
import SQLKit
import Testing

@testable import BerthPanel

/// The whole lists (`GET /api/instances`, `GET /api/users`) are answered from a copy while nothing they
/// show has changed (``ListCache``). Held against the promise it must keep: a change committed by anyone
/// (a store, a hand-written statement, another panel process) shows in every list asked for after it.
@Suite("Whole lists answered from a copy", .timeLimit(.minutes(3)))
struct ListCacheTests {
    @Test("after a change the list shows, from this process, another one or a bare statement, both panels list it")
    func changesShowEverywhere() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let ids = [try await InstanceTests.deployReadyEcho(panel, owner: owner), try await InstanceTests.deployReadyEcho(panel, owner: owner)]
            try await SecondPanel.with(beside: panel) { replica in
                let sql = panel.panel.database.sql()
                // Twice each: the second answer comes from the copy the first one made. (The node's reports
                // may still move the instances' states meanwhile, so what is compared is what the test changed.)
                @Sendable func expectBothList(_ what: String, _ check: @Sendable ([[String: Any]]) -> Bool) async throws {
                    for _ in 0..<2 {
                        let mine = try await panel.request(.GET, "/api/instances")
                        #expect(check(mine.array), "this panel, \(what): \(mine.text)")
                        let theirs = try await replica.request(.GET, "/api/instances", key: panel.apiKey)
                        #expect(check(theirs.array), "the replica, \(what): \(theirs.text)")
                    }
                }
                try await expectBothList("at first") { $0.compactMap { $0["Id"] as? String } == ids }

                try await sql.raw("UPDATE instances SET name = 'renamed by hand' WHERE id = \(bind: UUID(uuidString: ids[0]))").run()
                try await expectBothList("after a statement renamed an instance") { $0.first?["Name"] as? String == "renamed by hand" }

                try await sql.raw("UPDATE nodes SET name = 'moved-node'").run()
                try await expectBothList("after the node was renamed") { $0.allSatisfy { "\($0)".contains("moved-node") } }

                try await panel.deleteInstance(ids[1])
                try await expectBothList("after a delete through this panel's API") { $0.compactMap { $0["Id"] as? String } == [ids[0]] }
            }
        }
    }

    @Test("the copy is what answers: a change hidden from the triggers is not seen until the next one that is not")
    func answeredFromTheCopy() async throws {
        try await InProcessPanel.with { panel in
            for name in ["ada", "brook"] {
                #expect(try await panel.request(.POST, "/api/auth/create-user", json: DatabaseBusyTests.user(name)).status == 201)
            }
            let listed = try await panel.request(.GET, "/api/users").body
            #expect(listed == (try Self.encoded(try await panel.panel.users.all().map(UserView.init))))

            let sql = panel.panel.database.sql()
            let before = try await panel.panel.lists.epoch(of: .users)
            try await sql.raw("UPDATE users SET session_epoch = 7").run()
            #expect(try await panel.panel.lists.epoch(of: .users) == before, "a column the list does not show moves nothing")
            try await sql.raw("UPDATE users SET admin = admin").run()
            #expect(try await panel.panel.lists.epoch(of: .users) > before, "one it shows does")
            #expect(try await panel.request(.GET, "/api/users").body == listed, "rewritten the same")

            let postgres = sql.dialect.name != "sqlite"
            try await sql.raw("DROP TRIGGER list_epoch_user_changed\(unsafeRaw: postgres ? " ON users" : "")").run()
            try await sql.raw("UPDATE users SET email = 'hidden@example.com' WHERE username = 'ada'").run()
            #expect(try await panel.request(.GET, "/api/users").body == listed, "the copy, as the counter did not move")

            #expect(try await panel.request(.POST, "/api/auth/create-user", json: DatabaseBusyTests.user("cato")).status == 201)
            let after = try await panel.request(.GET, "/api/users")
            #expect(after.body == (try Self.encoded(try await panel.panel.users.all().map(UserView.init))))
            #expect(after.text.contains("hidden@example.com") && after.array.count == 3)
        }
    }

    @Test("requests that ask at once after a change all get the whole new list, byte for byte")
    func concurrentAsks() async throws {
        try await InProcessPanel.with { panel in
            for index in 0..<20 {
                #expect(try await panel.request(.POST, "/api/auth/create-user", json: DatabaseBusyTests.user("user\(index)")).status == 201)
            }
            let expected = try Self.encoded(try await panel.panel.users.all().map(UserView.init))
            let bodies = try await withThrowingTaskGroup(of: Data.self) { group in
                for _ in 0..<16 { group.addTask { try await panel.request(.GET, "/api/users").body } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(bodies.count == 16 && bodies.allSatisfy { $0 == expected })
        }
    }

    /// Why the counter moves at the commit on PostgreSQL: moved in the middle of a transaction, its row would
    /// be a lock every transaction that changes a listed row takes, in whatever order with its other locks.
    /// Here the first transaction changes a listed user and then waits for a row the second holds, while
    /// the second, holding that row, changes another listed user: moved at once, each would wait for the
    /// other (a deadlock, which PostgreSQL ends by failing one). SQLite has one writer at a time; there the
    /// counter's row is never a lock anyone waits on, and the test has nothing to ask.
    @Test("on PostgreSQL two transactions that change listed rows and wait for each other's rows both commit")
    func noDeadlockOnTheCounter() async throws {
        try await InProcessPanel.with { panel in
            guard case .postgres(let url) = panel.panel.configuration.databaseLocation else { return }
            for name in ["ada", "brook", "cato"] {
                #expect(try await panel.request(.POST, "/api/auth/create-user", json: DatabaseBusyTests.user(name)).status == 201)
            }
            let before = try await panel.panel.lists.epoch(of: .users)
            let secondHoldsBrook = AsyncStream<Void>.makeStream()
            let secondMayCommit = AsyncStream<Void>.makeStream()
            // Two connections of the test's own: the panel's pool may hold one per event loop.
            let (firstConnection, secondConnection) = (try await Self.connect(url, id: 1), try await Self.connect(url, id: 2))
            defer {
                Task {
                    try? await firstConnection.close()
                    try? await secondConnection.close()
                }
            }
            async let first: Void = {
                let connection = firstConnection.sql()
                try await connection.raw("BEGIN").run()
                try await connection.raw("UPDATE users SET email = 'ada@example.org' WHERE username = 'ada'").run()
                for await _ in secondHoldsBrook.stream { break }
                secondMayCommit.continuation.yield()
                // Waits for the second transaction's lock on brook's row.
                try await connection.raw("UPDATE users SET session_epoch = 1 WHERE username = 'brook'").run()
                try await connection.raw("COMMIT").run()
            }()
            async let second: Void = {
                let connection = secondConnection.sql()
                try await connection.raw("BEGIN").run()
                try await connection.raw("UPDATE users SET session_epoch = 2 WHERE username = 'brook'").run()
                secondHoldsBrook.continuation.yield()
                for await _ in secondMayCommit.stream { break }
                try await connection.raw("UPDATE users SET email = 'cato@example.org' WHERE username = 'cato'").run()
                try await connection.raw("COMMIT").run()
            }()
            try await first
            try await second
            #expect(try await panel.panel.lists.epoch(of: .users) == before + 2, "each transaction moved the counter once")
            let listed = try await panel.request(.GET, "/api/users").text
            #expect(listed.contains("ada@example.org") && listed.contains("cato@example.org"))
        }
    }

    static func connect(_ url: String, id: Int) async throws -> PostgresConnection {
        try await PostgresConnection.connect(
            configuration: try SQLPostgresConfiguration(url: url).coreConfiguration,
            id: id,
            logger: Logger(label: "test.postgres")
        )
    }

    static func encoded(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(value)
    }

}
