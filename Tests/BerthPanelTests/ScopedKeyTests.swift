import BerthTestSupport
import Foundation
import NIOHTTP1
import Testing

@testable import BerthPanel

@Suite("Scoped API keys and keys that act as a user", .timeLimit(.minutes(3)))
struct ScopedKeyTests {
    @Test("a read-only key reads and is refused every write with 403; a nodes:write key manages nodes and reads no users; keys show their last use")
    func scopes() async throws {
        try await InProcessPanel.with { panel in
            let reader = try await panel.panel.createAPIKey(name: "dashboard", scopes: "read")
            let nodeAdmin = try await panel.panel.createAPIKey(name: "provisioner", scopes: "nodes:write")
            _ = try await panel.panel.createAPIKey(name: "unused", scopes: "images:read")
            let userID = try await panel.createUser("alice")

            for (method, path) in [(HTTPMethod.GET, "/api/users"), (.GET, "/api/nodes"), (.GET, "/api/images"), (.GET, "/api/instances")] {
                #expect(try await panel.request(method, path, json: nil, apiKey: .some(reader)).status == 200, "\(path)")
            }
            #expect(
                try await panel.request(.POST, "/api/getUser", json: #"{"type": "username", "value": "alice"}"#, apiKey: .some(reader)).status == 201
            )

            let node = #"{"name": "n", "ram": "1G", "disk": "1G", "address": "192.0.2.10", "port": "3002"}"#
            let writes: [(HTTPMethod, String, String)] = [
                (.POST, "/api/v1/images", #"{"Name": "x", "Image": "busybox"}"#), (.DELETE, "/api/v1/images/x", ""),
                (.POST, "/api/instances/deploy", #"{"image": "x", "memory": "64M", "cpu": 1, "nodeId": "n", "name": "x", "user": "\#(userID)"}"#),
                (.POST, "/api/auth/create-user", #"{"username": "mallory", "email": "m@example.com", "password": "long enough"}"#),
                (.POST, "/api/nodes/create", node), (.DELETE, "/api/instance/delete", #"{"id": "x"}"#),
                (.POST, "/api/instances/suspend/x", "{}"), (.PATCH, "/api/v1/nodes/x", "{}"),
                (.POST, "/api/v1/instances/x/power", #"{"action": "start"}"#),
            ]
            for (method, path, body) in writes {
                let refused = try await panel.request(method, path, json: body, apiKey: .some(reader))
                #expect(refused.status == 403, "\(method) \(path): \(refused.text)")
                #expect((refused.object["error"] as? String)?.contains("the API key dashboard may not write") == true, "\(refused.text)")
            }
            #expect(try await panel.request(.GET, "/api/users").array.count == 1, "no user was made by the refused key")
            #expect(try await panel.request(.GET, "/api/nodes").array.isEmpty, "no node was made by the refused key")

            let created = try await panel.request(.POST, "/api/nodes/create", json: node, apiKey: .some(nodeAdmin))
            #expect(created.status == 201, "\(created.text)")
            let users = try await panel.request(.GET, "/api/users", json: nil, apiKey: .some(nodeAdmin))
            #expect(users.status == 403)
            #expect(users.object["error"] as? String == "the API key provisioner may not read users; its scopes are nodes:write")

            // Each use is recorded to the minute; the key never used says so.
            let keys = try await panel.panel.listAPIKeys()
            #expect(keys.first { $0.name == "dashboard" }?.lastUsed != nil)
            #expect(keys.first { $0.name == "dashboard" }?.scopes == "read")
            #expect(keys.first { $0.name == "unused" }?.lastUsed == nil)
            #expect(keys.first { $0.name == "tests" }?.scopes == "admin", "the default is the seed's full access")

            await #expect(throws: PanelError.invalid("superuser is not a scope; scopes are \(APIKeyScopes.known.joined(separator: ", "))")) {
                try await panel.panel.createAPIKey(name: "bad", scopes: "read superuser")
            }
            await #expect(throws: PanelError.notFound("no user with the userId nobody to own the key")) {
                try await panel.panel.createAPIKey(name: "orphan", scopes: "read", owner: "nobody")
            }

            // A key that acts as a user stops working when that user is deleted.
            let alicesKey = try await panel.panel.createAPIKey(name: "alice's", scopes: "instances:write", owner: userID)
            #expect(try await panel.request(.GET, "/api/instances", json: nil, apiKey: .some(alicesKey)).status == 200)
            let alice = try #require(try await panel.panel.users.find(.userID(userID)))
            try await panel.panel.users.delete(alice)
            #expect(try await panel.request(.GET, "/api/instances", json: nil, apiKey: .some(alicesKey)).status == 401)
        }
    }

    @Test("a key that acts as a user sees and powers only that user's instances, and may not deploy, delete or suspend")
    func actingAsAUser() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            try await InstanceTests.importEchoImage(panel)
            let alice = try await panel.createUser("alice")
            let bob = try await panel.createUser("bob")
            func deploy(for owner: String) async throws -> String {
                var fields = InstanceTests.deployFields(node: node.id, user: owner, port: TestPorts.next())
                fields["start"] = false
                let answer = try await panel.request(.POST, "/api/instances/deploy", fields)
                return try #require(answer.object["Id"] as? String, "\(answer.text)")
            }
            let alicesInstance = try await deploy(for: alice)
            let bobsInstance = try await deploy(for: bob)
            try await panel.waitFor(alicesInstance, "READY") { $0["InternalState"] as? String == "READY" }
            let key = try await panel.panel.createAPIKey(name: "alice's panel", scopes: "instances:write", owner: alice)
            func call(_ method: HTTPMethod, _ path: String, _ body: String? = nil) async throws -> HTTPAnswer {
                try await panel.request(method, path, json: body, apiKey: .some(key))
            }

            let listed = try await call(.GET, "/api/instances")
            #expect(listed.array.map { $0["Id"] as? String } == [alicesInstance], "only her own")
            #expect(try await call(.POST, "/api/getInstance", #"{"id": "\#(alicesInstance)"}"#).status == 200)
            let hidden = try await call(.POST, "/api/getInstance", #"{"id": "\#(bobsInstance)"}"#)
            #expect(hidden.status == 400 && hidden.object["error"] as? String == "no instance with that id", "as if it did not exist")
            #expect(try await call(.POST, "/api/getUserInstance", #"{"userId": "\#(bob)"}"#).status == 403)
            #expect(try await call(.POST, "/api/getUserInstance", #"{"userId": "\#(alice)"}"#).array.count == 1)
            #expect(try await call(.GET, "/api/users").status == 403, "a user's key reaches only instances")

            let started = try await call(.POST, "/api/v1/instances/\(alicesInstance)/power", #"{"action": "start"}"#)
            #expect(started.status == 202, "\(started.text)")
            try await panel.waitFor(alicesInstance, "running") { $0["PowerState"] as? String == "running" }
            let others = try await call(.POST, "/api/v1/instances/\(bobsInstance)/power", #"{"action": "start"}"#)
            #expect(others.status == 404, "\(others.text)")
            #expect((try await panel.instance(bobsInstance))["PowerState"] as? String == "offline", "bob's instance was not started")
            let badAction = try await call(.POST, "/api/v1/instances/\(alicesInstance)/power", #"{"action": "explode"}"#)
            #expect(badAction.object["error"] as? String == "action must be one of start, stop, restart, kill")

            for (method, path, body) in [
                (HTTPMethod.POST, "/api/instances/deploy", "{}"), (.DELETE, "/api/instance/delete", #"{"id": "\#(alicesInstance)"}"#),
                (.POST, "/api/instances/suspend/\(alicesInstance)", "{}"),
            ] {
                let refused = try await call(method, path, body)
                #expect(refused.status == 403, "\(path)")
                #expect((refused.object["error"] as? String)?.contains("acts as a user, who may not") == true, "\(refused.text)")
            }
            #expect((try await panel.instance(alicesInstance))["Suspended"] as? Bool == false)

            // The panel's own key powers any instance; a stop of one already stopping is the node's 409.
            let stopped = try await panel.request(.POST, "/api/v1/instances/\(alicesInstance)/power", ["action": "stop"])
            #expect(stopped.status == 202, "\(stopped.text)")
            try await panel.waitFor(alicesInstance, "offline") { $0["PowerState"] as? String == "offline" }
            let missing = try await panel.request(.POST, "/api/v1/instances/\(UUID().uuidString.lowercased())/power", ["action": "start"])
            #expect(missing.status == 404)
        }
    }

    @Test("an images:write key imports a real egg and Skyport JSON through POST /api/v1/images and deletes them; bad ones are a 400 that says why")
    func importImages() async throws {
        try await InProcessPanel.with { panel in
            let importer = try await panel.panel.createAPIKey(name: "catalogue", scopes: "images:write")
            let instancesOnly = try await panel.panel.createAPIKey(name: "billing", scopes: "instances:write")
            let egg = try String(contentsOfFile: try EggFixtures.directory + "/egg-velocity.json", encoding: .utf8)

            let refused = try await panel.request(.POST, "/api/v1/images", json: egg, apiKey: .some(instancesOnly))
            #expect(refused.status == 403, "\(refused.text)")
            let imported = try await panel.request(.POST, "/api/v1/images", json: egg, apiKey: .some(importer))
            #expect(imported.status == 201, "\(imported.text)")
            #expect(imported.object["Name"] as? String == "Velocity" && (imported.object["features"] as? [String])?.contains("eula") == true)
            let id = try #require(imported.object["Id"] as? String)
            let listed = try await panel.request(.GET, "/api/images").array
            #expect(listed.contains { $0["Id"] as? String == id })

            let skyport = #"{"Name": "Tiny", "Image": "berth-test/busybox:latest", "Startup": "echo ready"}"#
            #expect(try await panel.request(.POST, "/api/v1/images", json: skyport, apiKey: .some(importer)).status == 201)
            for (body, problem) in [
                ("", "the body is empty; send an image's JSON or a Pterodactyl egg"),
                (#"{"Name": "Bad", "Image": "not a reference!"}"#, "the image: Image must be a Docker image reference"),
                ("[1, 2]", "the image is neither a Skyport image JSON nor a Pterodactyl egg: the body must be a JSON object"),
                (#"{"Image": "busybox"}"#, "the image is neither a Skyport image JSON nor a Pterodactyl egg: field Name is missing"),
            ] {
                let bad = try await panel.request(.POST, "/api/v1/images", json: body, apiKey: .some(importer))
                #expect(bad.status == 400, "\(body): \(bad.text)")
                #expect(bad.error?.hasPrefix(problem) == true, "\(bad.text)")
            }
            #expect(try await panel.request(.GET, "/api/images").array.count == listed.count + 1, "no refused import was kept")

            #expect(try await panel.request(.DELETE, "/api/v1/images/\(id)", json: nil, apiKey: .some(instancesOnly)).status == 403)
            #expect(try await panel.request(.DELETE, "/api/v1/images/\(id)", json: nil, apiKey: .some(importer)).status == 204)
            #expect(try await panel.request(.DELETE, "/api/v1/images/\(id)", json: nil, apiKey: .some(importer)).status == 404)
            #expect(!(try await panel.request(.GET, "/api/images").array.contains { $0["Id"] as? String == id }))
        }
    }
}
