import BerthProtocol
import BerthTestSupport
import Foundation
import NIOHTTP1
import Testing

@testable import BerthPanel
@testable import BerthWeb

/// Subusers on a real node: an owner lets others into one instance with permissions from a fixed list,
/// and every way in (a key acting as the user, the web pages, each console message) checks them.
@Suite("Subusers", .timeLimit(.minutes(4)))
struct SubuserTests {
    @Test("through /api/v1: who may grant what; a subuser's key reaches the instance and does only what it was granted")
    func grantsThroughTheAPI() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let bob = try await panel.createUser("bob")
            let carol = try await panel.createUser("carol")
            _ = try await panel.createUser("dave")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }
            let ownersKey = try await panel.panel.createAPIKey(name: "owner's", scopes: "instances:write", owner: owner)
            let bobsKey = try await panel.panel.createAPIKey(name: "bob's", scopes: "instances:write", owner: bob)
            let carolsKey = try await panel.panel.createAPIKey(name: "carol's", scopes: "instances:write", owner: carol)
            func call(_ key: String, _ method: HTTPMethod, _ path: String, _ fields: [String: Any]? = nil) async throws -> HTTPAnswer {
                let body = try fields.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
                return try await panel.request(method, path, json: body, apiKey: .some(key))
            }
            let subusers = "/api/v1/instances/\(id)/subusers"

            // Before: bob's key does not even learn the instance exists.
            #expect(try await call(bobsKey, .POST, "/api/getInstance", ["id": id]).status == 400)
            #expect(try await call(bobsKey, .GET, subusers).status == 404)

            let added = try await call(ownersKey, .POST, subusers, ["user": "bob", "permissions": ["console.read"]])
            #expect(added.status == 201, "\(added.text)")
            #expect(added.object["username"] as? String == "bob" && added.object["userId"] as? String == bob)
            #expect(added.object["permissions"] as? [String] == ["console.read"])
            #expect(added.object["email"] == nil, "a subuser's e-mail address is not shown")

            // What bob's key reaches now, and what console.read alone does not allow.
            #expect(try await call(bobsKey, .POST, "/api/getInstance", ["id": id]).status == 200)
            #expect(try await call(bobsKey, .GET, "/api/instances").array.compactMap { $0["Id"] as? String } == [id])
            let power = try await call(bobsKey, .POST, "/api/v1/instances/\(id)/power", ["action": "stop"])
            #expect(power.status == 403 && power.error == "you may not stop the instance here; that takes the power.stop permission")
            #expect(try await call(bobsKey, .PATCH, "/api/v1/instances/\(id)", ["name": "bob's now"]).status == 403)
            #expect(try await call(bobsKey, .GET, subusers).status == 403)
            #expect(try await call(bobsKey, .POST, subusers, ["user": "carol", "permissions": ["console.read"]]).status == 403)
            #expect(try await call(carolsKey, .POST, "/api/getInstance", ["id": id]).status == 400, "carol is still out")
            let instance = try await panel.instance(id)
            #expect(instance["Name"] as? String == "game" && instance["PowerState"] as? String == "running", "nothing bob tried happened")

            // The owner's refusals name the problem.
            for (fields, status, error) in [
                (["user": "bob", "permissions": ["console.read"]], 409, "bob is a subuser of this instance already"),
                (["user": "owner", "permissions": ["console.read"]], 409, "owner owns this instance"),
                (["user": "nobody", "permissions": ["console.read"]], 404, "there is no user with the username nobody"),
                (["user": "carol", "permissions": []], 400, "permissions must name at least one permission"),
                (["user": "carol", "permissions": ["console.read", "console.read"]], 400, "permissions: console.read is named twice"),
                (["user": "carol", "permissions": "console.read"], 400, "permissions must be a list of strings"),
                (["user": "carol", "permissions": ["root"]], 400, nil),
                (
                    ["user": "carol", "permissions": ["console.read"], "admin": true], 400,
                    "admin is not a field of this request; it takes permissions, user"
                ),
            ] as [([String: Any], Int, String?)] {
                let refused = try await call(ownersKey, .POST, subusers, fields)
                #expect(refused.status == status, "\(fields): \(refused.text)")
                if let error {
                    #expect(refused.error == error)
                } else {
                    #expect(refused.error?.hasPrefix("permissions: root is not a permission") == true)
                }
            }

            // A subuser who manages subusers grants only what they hold, and cannot touch who holds more.
            let promoted = try await call(ownersKey, .PATCH, "\(subusers)/\(bob)", ["permissions": ["console.read", "subusers", "power.start"]])
            #expect(promoted.status == 200 && promoted.object["permissions"] as? [String] == ["console.read", "power.start", "subusers"])
            let beyond = try await call(bobsKey, .POST, subusers, ["user": "carol", "permissions": ["power.stop"]])
            #expect(beyond.status == 403 && beyond.error == "you may grant only permissions you hold; not power.stop")
            #expect(try await call(bobsKey, .POST, subusers, ["user": "carol@example.com", "permissions": ["console.read"]]).status == 201)
            #expect(try await call(ownersKey, .POST, subusers, ["user": "dave", "permissions": ["settings"]]).status == 201)
            let dave = try #require(
                try await call(ownersKey, .GET, subusers).array.first { $0["username"] as? String == "dave" }?["userId"] as? String
            )
            #expect(try await call(bobsKey, .DELETE, "\(subusers)/\(dave)").status == 403, "dave holds settings, which bob does not")
            #expect(try await call(bobsKey, .GET, subusers).array.compactMap { $0["username"] as? String } == ["bob", "carol", "dave"])

            // Carol, with console.read, may leave; she may not remove anyone else.
            #expect(try await call(carolsKey, .DELETE, "\(subusers)/\(bob)").status == 403)
            #expect(try await call(carolsKey, .DELETE, "\(subusers)/\(carol)").status == 204)
            #expect(try await call(carolsKey, .POST, "/api/getInstance", ["id": id]).status == 400, "carol left")
            #expect(try await call(ownersKey, .DELETE, "\(subusers)/\(carol)").status == 404)

            // Granted power.start, bob's key starts the instance once it is stopped; settings lets dave rename it.
            #expect(try await panel.request(.POST, "/api/v1/instances/\(id)/power", ["action": "stop"]).status == 202)
            try await panel.waitFor(id, "offline") { $0["PowerState"] as? String == "offline" }
            let started = try await call(bobsKey, .POST, "/api/v1/instances/\(id)/power", ["action": "start"])
            #expect(started.status == 202, "\(started.text)")
            try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }
            let davesKey = try await panel.panel.createAPIKey(name: "dave's", scopes: "instances:write", owner: dave)
            #expect(try await call(davesKey, .PATCH, "/api/v1/instances/\(id)", ["name": "renamed"]).status == 200)
            #expect(try await call(davesKey, .PATCH, "/api/v1/instances/\(id)", ["memory": 256]).status == 403, "limits stay the operator's")

            // A deleted user's grants go with them.
            try await panel.panel.users.delete(try #require(try await panel.panel.users.find(.userID(dave))))
            #expect(try await call(ownersKey, .GET, subusers).array.compactMap { $0["username"] as? String } == ["bob"])
            try await panel.deleteInstance(id)
        }
    }

    @Test(
        "on the console socket: console.read reads but may not command or stop; changed permissions close the console; without console.read no output arrives"
    )
    func consoleSocket() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let bob = try await panel.createUser("bob")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }
            let subusers = "/api/v1/instances/\(id)/subusers"
            #expect(try await panel.request(.POST, subusers, ["user": "bob", "permissions": ["console.read"]]).status == 201)
            let ownersConsole = try await Self.console(id, of: "owner", on: panel)
            let bobsConsole = try await Self.console(id, of: "bob", on: panel)

            try await onOwnThread { try bobsConsole.sendTextFrame(#"{"event": "command", "data": "bob-was-here"}"#) }
            #expect(try await Self.read(bobsConsole) { $0.event == .error }.last?.data == "You may not send commands to this console.")
            try await onOwnThread { try bobsConsole.sendTextFrame(#"{"event": "power", "data": "stop"}"#) }
            #expect(try await Self.read(bobsConsole) { $0.event == .error }.last?.data == "You may not stop the instance.")
            try await onOwnThread { try ownersConsole.sendTextFrame(#"{"event": "command", "data": "from-owner"}"#) }
            let read = try await Self.read(bobsConsole) { $0.data?.contains("echo:from-owner") == true }
            #expect(!read.contains { $0.data?.contains("bob-was-here") == true }, "bob's command never reached the instance: \(read)")
            #expect((try await panel.instance(id))["PowerState"] as? String == "running")

            // New permissions: the open console closes within seconds, and opens again with them.
            #expect(try await panel.request(.PATCH, "\(subusers)/\(bob)", ["permissions": ["power.stop"]]).status == 200)
            #expect(try await Self.closeReason(bobsConsole) == ConsoleRelay.permissionsChanged)
            let bobsSecondConsole = try await Self.console(id, of: "bob", on: panel)
            try await onOwnThread { try ownersConsole.sendTextFrame(#"{"event": "command", "data": "not-for-bob"}"#) }
            _ = try await Self.read(ownersConsole) { $0.data?.contains("echo:not-for-bob") == true }
            // Stopping prints too; the node sends output before the state it leads to, so by "offline" any
            // output would have reached bob's socket.
            try await onOwnThread { try bobsSecondConsole.sendTextFrame(#"{"event": "power", "data": "stop"}"#) }
            let stopping = try await Self.read(bobsSecondConsole) { $0.event == .status && $0.data == "offline" }
            #expect(!stopping.contains { $0.event == .output }, "no output without console.read: \(stopping)")
            try await panel.waitFor(id, "offline") { $0["PowerState"] as? String == "offline" }

            // Revoked: the console closes, and does not open again.
            #expect(try await panel.request(.DELETE, "\(subusers)/\(bob)").status == 204)
            #expect(try await Self.closeReason(bobsSecondConsole).contains("that you can see"))
            let cookie = try await Self.sessionCookie(of: "bob", on: panel)
            let refused = try await onOwnThread { try RawHTTP.statusLine(port: panel.port, head: panel.consoleHandshake(id, cookie: cookie)) }
            #expect(!refused.contains(" 101 "), "\(refused)")
            try await panel.deleteInstance(id)
        }
    }

    @Test("in the browser's pages: the owner adds a subuser with ticked boxes; the subuser sees the instance as shared, without what was not granted")
    func webPages() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            _ = try await panel.createUser("bob")
            var fields = InstanceTests.deployFields(node: try #require(panel.node).id, user: owner, port: TestPorts.next())
            fields["start"] = false
            try await InstanceTests.importEchoImage(panel)
            let id = try #require(try await panel.request(.POST, "/api/instances/deploy", fields).object["Id"] as? String)
            try await panel.waitFor(id, "READY") { $0["InternalState"] as? String == "READY" }

            let owners = panel.browser()
            try await owners.signIn("owner", WebSessionTests.password)
            let page = try await owners.get("/instances/\(id)")
            #expect(page.text.contains(#"id="add-subuser""#), "the owner manages subusers")
            let added = try await owners.post(
                "/instances/\(id)/subusers",
                pairs: [("user", "bob"), ("permission", "console.read"), ("permission", "power.start")]
            )
            #expect(added.status == 303)
            let after = try await owners.get("/instances/\(id)")
            #expect(after.text.contains("bob can now reach game."), "\(after.text)")
            #expect(after.text.contains(#"data-username="bob""#))

            let bobs = panel.browser()
            try await bobs.signIn("bob", WebSessionTests.password)
            let dashboard = try await bobs.get("/")
            #expect(dashboard.text.contains(#"id="shared-instances""#) && dashboard.text.contains("/instances/\(id)"))
            #expect(!dashboard.text.contains(#"id="no-instances""#))
            let shared = try await bobs.get("/instances/\(id)")
            #expect(shared.status == 200)
            #expect(shared.text.contains(#"data-power="start""#), "power.start was granted")
            for absent in [#"data-power="stop""#, #"id="console-form""#, #"id="instance-settings""#, #"id="add-subuser""#] {
                #expect(!shared.text.contains(absent), "\(absent) was not granted")
            }
            let rename = try await bobs.post("/instances/\(id)/settings", ["name": "mine"])
            #expect(rename.status == 403)
            #expect((try await panel.instance(id))["Name"] as? String == "game")
            #expect(try await bobs.post("/instances/\(id)/subusers", pairs: [("user", "owner"), ("permission", "console.read")]).status == 403)

            // Bob leaves; the instance is gone from his dashboard and his page.
            #expect(try await bobs.post("/instances/\(id)/subusers/\(try await Self.userID("bob", on: panel))/remove").location == "/")
            #expect(try await bobs.get("/instances/\(id)").status == 404)
            try await panel.deleteInstance(id)
        }
    }

    // MARK: - Helpers

    static func userID(_ username: String, on panel: TestPanel) async throws -> String {
        try #require(try await panel.panel.users.find(.username(username))?.userID)
    }

    static func sessionCookie(of username: String, on panel: TestPanel) async throws -> String {
        let browser = panel.browser()
        try await browser.signIn(username, WebSessionTests.password)
        return try #require(browser.sessionCookie)
    }

    /// A console socket of `username`'s, open and past its handshake.
    static func console(_ id: String, of username: String, on panel: TestPanel) async throws -> RawHTTP {
        let cookie = try await sessionCookie(of: username, on: panel)
        return try await onOwnThread {
            let socket = try RawHTTP(port: panel.port, head: panel.consoleHandshake(id, cookie: cookie))
            let status = try socket.statusLine()
            guard status.contains(" 101 ") else { throw TestFailure("the console of \(username) did not open: \(status)") }
            return socket
        }
    }

    /// Reads messages until one satisfies `done`; returns all it read, that one last. A close before is a failure.
    static func read(_ socket: RawHTTP, until done: @escaping @Sendable (ConsoleMessage) -> Bool) async throws -> [ConsoleMessage] {
        try await onOwnThread {
            var read: [ConsoleMessage] = []
            while true {
                let frame = try socket.nextFrame()
                if frame.opcode == 8 { throw TestFailure("the console closed: \(String(decoding: frame.payload.dropFirst(2), as: UTF8.self))") }
                guard frame.opcode == 1, let message = try? JSONDecoder().decode(ConsoleMessage.self, from: Data(frame.payload)) else { continue }
                read.append(message)
                if done(message) { return read }
            }
        }
    }

    /// Reads until the socket closes; returns the reason it gave.
    static func closeReason(_ socket: RawHTTP) async throws -> String {
        try await onOwnThread {
            while true {
                let frame = try socket.nextFrame()
                if frame.opcode == 8 { return String(decoding: frame.payload.dropFirst(2), as: UTF8.self) }
            }
        }
    }
}
