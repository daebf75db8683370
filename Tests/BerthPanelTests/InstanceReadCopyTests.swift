import BerthTestSupport
import Foundation
import SQLKit
import Testing

@testable import BerthPanel

/// `getInstance` and `getUserInstance` answer from copies while the list epochs stand still
/// (``InstanceReadCopies``), and on SQLite read the epochs without a query while no commit happened
/// (``SQLiteChangeCounter``). Held against the promise: a change committed by anyone, in this process or
/// another, shows in every answer asked for after it returned.
@Suite("Instance reads answered from copies", .timeLimit(.minutes(4)))
struct InstanceReadCopyTests {
    @Test("a change made through the other panel process shows in this one's next getInstance and getUserInstance, and back")
    func changesShowAcrossProcesses() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            try await SecondPanel.with(beside: panel) { replica in
                let getInstance = #"{"id": "\#(id)"}"#
                func bothShow(_ what: String, _ check: ([String: Any]) -> Bool) async throws {
                    // Twice each: the second answer is the copy the first one made.
                    for _ in 0..<2 {
                        let mine = try await panel.request(.POST, "/api/getInstance", ["id": id])
                        #expect(mine.status == 200 && check(mine.object), "this panel, \(what): \(mine.text)")
                        let theirs = try await replica.request(.POST, "/api/getInstance", key: panel.apiKey, json: getInstance)
                        #expect(theirs.status == 200 && check(theirs.object), "the replica, \(what): \(theirs.text)")
                    }
                }
                try await bothShow("at first") { $0["Suspended"] as? Bool == false }

                let suspended = try await replica.request(.POST, "/api/instances/suspend/\(id)", key: panel.apiKey)
                #expect(suspended.status == 200, "\(suspended.text)")
                try await bothShow("after the replica suspended it") { $0["Suspended"] as? Bool == true }

                #expect(try await panel.request(.POST, "/api/instances/unsuspend/\(id)", [:]).status == 200)
                try await bothShow("after this panel unsuspended it") { $0["Suspended"] as? Bool == false }

                // A user's own list, and a user who does not exist yet: both panels cache the answers, then the
                // replica gives the instance to a new user with the id asked for.
                let newcomer = "newcomer-\(UUID().uuidString.prefix(8))"
                func userInstances(_ userID: String) async throws -> (mine: HTTPAnswer, theirs: HTTPAnswer) {
                    let body = #"{"userId": "\#(userID)"}"#
                    return (
                        try await panel.request(.POST, "/api/getUserInstance", ["userId": userID]),
                        try await replica.request(.POST, "/api/getUserInstance", key: panel.apiKey, json: body)
                    )
                }
                for _ in 0..<2 {
                    let (mine, theirs) = try await userInstances(newcomer)
                    #expect(mine.status == 400 && theirs.status == 400, "before the user exists: \(mine.text) \(theirs.text)")
                    let owned = try await userInstances(owner)
                    #expect(owned.mine.array.compactMap { $0["Id"] as? String } == [id], "\(owned.mine.text)")
                    #expect(owned.theirs.array.compactMap { $0["Id"] as? String } == [id], "\(owned.theirs.text)")
                }
                let created = try await replica.request(
                    .POST,
                    "/api/auth/create-user",
                    key: panel.apiKey,
                    json: #"{"username": "newcomer", "email": "newcomer@example.com", "password": "correct horse battery", "userId": "\#(newcomer)"}"#
                )
                #expect(created.status == 201, "\(created.text)")
                let (mine, theirs) = try await userInstances(newcomer)
                #expect(mine.status == 200 && mine.text == "[]" && theirs.status == 200 && theirs.text == "[]", "\(mine.text) \(theirs.text)")

                let moved = try await replica.request(.PATCH, "/api/v1/instances/\(id)", key: panel.apiKey, json: #"{"user": "\#(newcomer)"}"#)
                #expect(moved.status == 200, "\(moved.text)")
                let before = try await userInstances(owner)
                #expect(before.mine.text == "[]" && before.theirs.text == "[]", "the old owner: \(before.mine.text) \(before.theirs.text)")
                let after = try await userInstances(newcomer)
                #expect(after.mine.array.compactMap { $0["Id"] as? String } == [id], "the new owner: \(after.mine.text)")
                #expect(after.theirs.array.compactMap { $0["Id"] as? String } == [id], "the new owner: \(after.theirs.text)")
            }
        }
    }

    @Test("the copy is what answers: a change hidden from the triggers is not seen until one that is not")
    func answeredFromTheCopy() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            let sql = panel.panel.database.sql()
            let postgres = sql.dialect.name != "sqlite"
            // Dropped first: the node's reports, which change the instance's states, move the epochs no more.
            try await sql.raw("DROP TRIGGER list_epoch_instance_changed\(unsafeRaw: postgres ? " ON instances" : "")").run()
            let first = try await panel.request(.POST, "/api/getInstance", ["id": id])
            let name = try #require(first.object["Name"] as? String)
            try await sql.raw("UPDATE instances SET name = 'hidden from the triggers' WHERE id = \(bind: UUID(uuidString: id))").run()
            let copied = try await panel.request(.POST, "/api/getInstance", ["id": id])
            #expect(copied.object["Name"] as? String == name, "the copy, as the epochs did not move: \(copied.text)")
            let ownList = try await panel.request(.POST, "/api/getUserInstance", ["userId": owner])
            #expect(ownList.text.contains("hidden from the triggers"), "the user's list had no copy yet, so it was read: \(ownList.text)")

            // A new user moves the user list's epoch: every copy made under the old epochs goes.
            _ = try await panel.createUser("bystander")
            let fresh = try await panel.request(.POST, "/api/getInstance", ["id": id])
            #expect(fresh.object["Name"] as? String == "hidden from the triggers", "\(fresh.text)")
        }
    }

    @Test("SQLite's commit counter moves with every commit, from this process or another, and with nothing else")
    func commitCounter() async throws {
        try await TestPanel.with { panel in
            guard case .sqlite = panel.panel.database.location else { return }
            let counter = try #require(panel.panel.database.changeCounter, "a panel on SQLite reads its commit counter")
            let sql = panel.panel.database.sql()
            // The panel's own services commit now and then (the key cache's register): a few tries, of which one
            // that no such commit crossed shows what reads and a rolled-back write do.
            var unmoved = false
            for _ in 0..<10 where !unmoved {
                let before = counter.current
                _ = try await sql.raw("SELECT COUNT(*) AS n FROM instances").all()
                try await sql.withSession { connection in
                    try await connection.raw("BEGIN").run()
                    try await connection.raw("UPDATE users SET email = email").run()
                    try await connection.raw("ROLLBACK").run()
                }
                unmoved = before != nil && counter.current == before
            }
            #expect(unmoved, "reads and a rolled-back write leave the counter where it was")

            var before = counter.current
            _ = try await panel.createUser("ada")
            #expect(counter.current != before, "a commit through the API")

            before = counter.current
            let created = try await BerthExecutable.run(
                ["apikey", "create", "--name", "elsewhere", "--data", panel.dataDirectory],
                environment: panel.commandEnvironment
            )
            #expect(created.status == 0, "\(created.output)")
            #expect(counter.current != before, "a commit by another process")
            #expect(counter.isStillTheFile)
        }
    }
}
