import BerthTestSupport
import Foundation
import Testing

@testable import BerthPanel

@Suite("Changing an instance: name, limits, owner", .timeLimit(.minutes(3)))
struct InstanceSettingsTests {
    @Test("PATCH /api/v1/instances resizes a running instance live, within the node's room, hands it over, and a user's key may only rename it")
    func changes() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            let alice = try await panel.createUser("alice")
            let bob = try await panel.createUser("bob")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: alice)
            try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }
            let containerID = try #require((try await panel.instance(id))["ContainerId"] as? String)

            let resized = try await panel.request(.PATCH, "/api/v1/instances/\(id)", ["memory": "256M", "cpu": 1, "name": "bigger"])
            #expect(resized.status == 200, "\(resized.text)")
            #expect(resized.object["Memory"] as? Int == 256 && resized.object["Cpu"] as? Double == 1 && resized.object["Name"] as? String == "bigger")
            let inspection = try await node.docker.inspectContainer(containerID)
            #expect(inspection.hostConfiguration.memory == 256 << 20, "applied to the running container")
            #expect(inspection.hostConfiguration.nanoCpus == 1_000_000_000)
            #expect((try await panel.instance(id))["PowerState"] as? String == "running", "without a restart")

            // More than the node has: refused, and nothing changes, in the panel or the container.
            let tooBig = try await panel.request(.PATCH, "/api/v1/instances/\(id)", ["memory": "100G", "name": "huge"])
            #expect(tooBig.status == 400)
            #expect((tooBig.error ?? "").hasPrefix("memory: the node has"), "\(tooBig.text)")
            let empty = try await panel.request(.PATCH, "/api/v1/instances/\(id)")
            #expect(empty.status == 400 && empty.error == "the body is empty; send a JSON object", "a PATCH without a body is no change")
            let after = try await panel.instance(id)
            #expect(after["Memory"] as? Int == 256 && after["Name"] as? String == "bigger")
            #expect(try await node.docker.inspectContainer(containerID).hostConfiguration.memory == 256 << 20)

            for (body, problem) in [
                (
                    ["colour": "red"] as [String: Any],
                    "colour cannot be changed; an instance's changeable fields are backupLimit, backupSizeLimit, cpu, disk, dockerImage, extraPortLimit, memory, name, processes, startup, user, variables"
                ),
                (["name": ""], "name must not be empty"), (["memory": "2"], "memory must be at least 6 MiB"),
                (["user": "nobody"], "user nobody does not exist"), (["user": ""], "user must not be empty"),
                // Less than Docker can give (its CFS quota is at least 1 ms a period): refused before the node.
                (["cpu": 0.00913], "cpu must be at least 0.01 cores (1%), the smallest share Docker gives"),
            ] {
                let refused = try await panel.request(.PATCH, "/api/v1/instances/\(id)", body)
                #expect(refused.status == 400 && refused.error == problem, "\(refused.text)")
            }
            #expect(try await panel.request(.PATCH, "/api/v1/instances/\(UUID().uuidString.lowercased())", ["name": "x"]).status == 404)

            // A key that acts as alice renames her instance and nothing more.
            let key = try await panel.panel.createAPIKey(name: "alice's", scopes: "instances:write", owner: alice)
            let renamed = try await panel.request(.PATCH, "/api/v1/instances/\(id)", json: #"{"name": "mine"}"#, apiKey: .some(key))
            #expect(renamed.status == 200 && renamed.object["Name"] as? String == "mine", "\(renamed.text)")
            let grab = try await panel.request(.PATCH, "/api/v1/instances/\(id)", json: #"{"memory": "1G"}"#, apiKey: .some(key))
            #expect(grab.status == 403, "\(grab.text)")

            // The instance page's settings: the owner renames; only an admin resizes, live.
            let owner = panel.browser()
            #expect(try await owner.signIn("alice", WebSessionTests.password).status == 303)
            #expect(try await owner.get("/instances/\(id)").text.contains(#"id="settings-name""#))
            _ = try await owner.post("/instances/\(id)/settings", ["name": "from the page", "memory": "1024"])
            #expect(try await owner.get("/instances/\(id)").text.contains("Only an admin changes an instance&#39;s limits and startup line."))
            #expect((try await panel.instance(id))["Memory"] as? Int == 256, "the owner's resize was refused")
            #expect(try await owner.post("/instances/\(id)/settings", ["name": "from the page"]).location == "/instances/\(id)")
            #expect((try await panel.instance(id))["Name"] as? String == "from the page")
            _ = try await panel.panel.createUser(username: "root", email: "root@example.com", password: WebSessionTests.password, admin: true)
            let admin = panel.browser()
            #expect(try await admin.signIn("root", WebSessionTests.password).status == 303)
            #expect(try await admin.get("/instances/\(id)").text.contains(#"id="settings-memory" name="memory" value="256""#))
            #expect(try await admin.get("/instances/\(id)").text.contains(#"id="settings-backup-limit" name="backupLimit" value="3""#))
            _ = try await admin.post("/instances/\(id)/settings", ["name": "from the page", "memory": "192", "cpu": "0.5", "backupLimit": "7"])
            #expect((try await panel.instance(id))["Memory"] as? Int == 192)
            #expect(try await Instance.find(UUID(uuidString: id), on: panel.panel.database.db())?.backupLimit == 7)
            #expect(try await node.docker.inspectContainer(containerID).hostConfiguration.memory == 192 << 20)
            let stranger = panel.browser()
            _ = try await panel.createUser("mallory")
            #expect(try await stranger.signIn("mallory", WebSessionTests.password).status == 303)
            try await stranger.get("/")
            #expect(try await stranger.post("/instances/\(id)/settings", ["name": "mine now"]).status == 404)
            #expect((try await panel.instance(id))["Name"] as? String == "from the page")

            // Handed over: bob owns it, and alice's key no longer reaches it.
            let moved = try await panel.request(.PATCH, "/api/v1/instances/\(id)", ["user": bob])
            #expect(moved.status == 200 && moved.object["User"] as? String == bob)
            #expect(try await panel.request(.POST, "/api/getUserInstance", ["userId": bob]).array.count == 1)
            #expect(try await panel.request(.PATCH, "/api/v1/instances/\(id)", json: #"{"name": "back"}"#, apiKey: .some(key)).status == 404)
        }
    }
}
