import BerthTestSupport
import Foundation
import NIOHTTP1
import SQLKit
import Testing

@testable import BerthPanel

/// The API-key cache (``VerifiedKeys``) against the promise it must keep: a key revoked, or its owner
/// demoted or deleted, in any process on the database is judged anew by every request that starts after
/// the change returned. Each test first makes both panels cache the key, then changes it elsewhere.
@Suite("API keys revoked across panel processes", .timeLimit(.minutes(3)))
struct KeyRevocationTests {
    @Test("a key cached by two panel processes is refused by both on the next request, revoked by the CLI or by either panel")
    func revokedEverywhere() async throws {
        try await TestPanel.with { panel in
            try await SecondPanel.with(beside: panel) { replica in
                for revoker in ["cli", "this panel", "the replica's register only"] {
                    let key = try await panel.panel.createAPIKey(name: "billing-\(revoker.count)")
                    try await expectAnswers(panel, replica, key: key, status: 200, "before it is revoked (\(revoker))")
                    switch revoker {
                    case "cli":
                        let revoked = try await BerthExecutable.run(
                            ["apikey", "revoke", "billing-\(revoker.count)", "--data", panel.dataDirectory],
                            environment: panel.commandEnvironment
                        )
                        #expect(revoked.status == 0, "\(revoked.output)")
                    case "this panel":
                        #expect(try await panel.panel.apiKeys.revoke("billing-\(revoker.count)"))
                    default:
                        // A process that stopped without leaving the register: the change waits for it no
                        // longer than a cached reading can stay fresh, and is no less strict for it.
                        let sql = panel.panel.database.sql()
                        try await sql.raw(
                            "INSERT INTO panel_processes (id, acknowledged_epoch, seen_at) VALUES ('vanished', -1, \(bind: Date().timeIntervalSince1970))"
                        ).run()
                        #expect(try await panel.panel.apiKeys.revoke("billing-\(revoker.count)"))
                        try await sql.raw("DELETE FROM panel_processes WHERE id = 'vanished'").run()
                    }
                    try await expectAnswers(panel, replica, key: key, status: 401, "right after it was revoked by \(revoker)")
                }
            }
        }
    }

    @Test("a key's owner demoted or deleted through one panel: the other's cached grant follows on the next request")
    func ownerChanges() async throws {
        try await TestPanel.with { panel in
            try await SecondPanel.with(beside: panel) { replica in
                let owner = try await panel.panel.users.create(
                    username: "operator",
                    email: "operator@example.com",
                    password: "long enough words",
                    userID: nil,
                    admin: true
                )
                let key = try await panel.panel.createAPIKey(name: "operator's", owner: owner.userID)
                for _ in 0..<3 {
                    #expect(try await replica.request(.GET, "/api/users", key: key).status == 200, "an admin's key lists users")
                }
                owner.admin = false
                try await panel.panel.users.save(owner)
                let demoted = try await replica.request(.GET, "/api/users", key: key)
                #expect(demoted.status == 403, "the replica still served the admin's grant: \(demoted.status) \(demoted.text)")
                #expect(try await replica.request(.GET, "/api/instances", key: key).status == 200, "still the user's own instances")

                try await panel.panel.users.delete(owner)
                let orphaned = try await replica.request(.GET, "/api/instances", key: key)
                #expect(orphaned.status == 401, "a deleted owner's key acts as no one: \(orphaned.status) \(orphaned.text)")
            }
        }
    }

    @Test("a cached key is answered from memory: a revocation hidden from the database's triggers goes unseen by the panel that cached it")
    func answeredFromMemory() async throws {
        try await TestPanel.with { panel in
            let key = try await panel.panel.createAPIKey(name: "cached")
            let keys = panel.panel.apiKeys.verified
            try await waitUntilFresh(keys)
            for _ in 0..<3 { #expect(try await panel.request(.GET, "/api/users", apiKey: .some(key)).status == 200) }
            // What no code path of Berth does: change a key behind the triggers' back. It shows the cache
            // really answers, and that the triggers are what keep it strict.
            let sql = panel.panel.database.sql()
            try await sql.raw("DROP TRIGGER grant_epoch_api_key_changed\(unsafeRaw: panel.databaseURL == nil ? "" : " ON api_keys")").run()
            try await sql.raw("UPDATE api_keys SET revoked_at = \(bind: Date()) WHERE name = 'cached'").run()
            // A cached key is served only while the epoch's last reading is fresh, which a machine loaded
            // enough can delay past its 2 s; the panel then asks the database, as it must. So: some tries.
            var answers: [Int] = []
            while answers.count < 4, answers.last != 200 {
                try await waitUntilFresh(keys)
                answers.append(try await panel.request(.GET, "/api/users", apiKey: .some(key)).status)
            }
            #expect(answers.last == 200, "served from the cache: \(answers)")
            try await SecondPanel.with(beside: panel) { replica in
                let answer = try await replica.request(.GET, "/api/users", key: key)
                #expect(answer.status == 401, "a process that never cached it asks the database")
            }
        }
    }

    @Test("the grant epoch moves on every change to what a key may do, and on nothing else a busy panel writes")
    func epochMoves() async throws {
        try await TestPanel.with { panel in
            let epoch = GrantEpoch(database: panel.panel.database)
            let sql = panel.panel.database.sql()
            let user = try await panel.panel.users.create(
                username: "someone",
                email: "someone@example.com",
                password: "long enough words",
                userID: nil,
                admin: false
            )
            _ = try await panel.panel.createAPIKey(name: "first", owner: user.userID)
            _ = try await panel.panel.createAPIKey(name: "second")
            func moves(_ change: String, _ expected: Bool, _ body: () async throws -> Void) async throws {
                let before = try await epoch.current()
                try await body()
                let after = try await epoch.current()
                #expect((after > before) == expected, "\(change): \(before) → \(after)")
            }
            try await moves("a key's last use written", false) { try await sql.raw("UPDATE api_keys SET last_used_at = 1").run() }
            try await moves("a key made", false) { _ = try await panel.panel.createAPIKey(name: "third") }
            try await moves("a password changed", false) { try await panel.panel.users.setPassword("another long one", of: user) }
            try await moves("a key revoked", true) {
                let revoked = try await panel.panel.apiKeys.revoke("second")
                #expect(revoked)
            }
            try await moves("a key deleted", true) { try await sql.raw("DELETE FROM api_keys WHERE name = 'third'").run() }
            try await moves("a user made an admin", true) {
                user.admin = true
                try await panel.panel.users.save(user)
            }
            try await moves("a user deleted", true) { try await panel.panel.users.delete(user) }
        }
    }

    private func waitUntilFresh(_ keys: VerifiedKeys) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !keys.isFresh {
            guard ContinuousClock.now < deadline else { throw TestFailure("the panel never read the grant epoch") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Requests on each panel, all answering `status`: several while the key is good (the first fills the
    /// cache), one once it is not (failures from one address are throttled, on every panel alike).
    private func expectAnswers(_ panel: TestPanel, _ replica: SecondPanel, key: String, status: Int, _ when: String) async throws {
        for _ in 0..<(status == 200 ? 3 : 1) {
            let here = try await panel.request(.GET, "/api/users", apiKey: .some(key))
            #expect(here.status == status, "this panel, \(when): \(here.status) \(here.text)")
            let there = try await replica.request(.GET, "/api/users", key: key)
            #expect(there.status == status, "the replica, \(when): \(there.status) \(there.text)")
        }
    }
}

/// A `berth panel` process on a test panel's database: a second replica, as an operator runs one.
struct SecondPanel {
    let port: Int

    static func with(beside panel: TestPanel, _ body: (SecondPanel) async throws -> Void) async throws {
        let port = TestPorts.next()
        let process = try ChildProcess(
            BerthExecutable.path,
            ["panel", "--data", panel.dataDirectory, "--port", "\(port)", "--log-level", "warning"],
            environment: panel.commandEnvironment
        )
        defer { process.terminate() }
        let replica = SecondPanel(port: port)
        let deadline = ContinuousClock.now + .seconds(60)
        // The sign-in page: asking /api with a wrong key would count against the tests' address.
        while (try? await HTTPAnswer.request(.GET, "http://127.0.0.1:\(port)/login"))?.status != 200 {
            guard ContinuousClock.now < deadline, process.isRunning else {
                throw TestFailure("the second panel never answered: \(process.outputSoFar)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await body(replica)
    }

    func request(_ method: HTTPMethod, _ path: String, key: String, json: String? = nil) async throws -> HTTPAnswer {
        try await HTTPAnswer.request(method, "http://127.0.0.1:\(port)\(path)", headers: [("x-api-key", key)], json: json)
    }
}
