import BerthTestSupport
import Foundation
import Testing

@testable import BerthPanel

@Suite("Instance settings: variables, Docker image, startup line, processes, reinstall, activity", .timeLimit(.minutes(4)))
struct InstanceOwnerSettingsTests {
    /// An image with a variable users edit, one only admins set, and a second Docker image to pick
    /// (the same local image under another reference, since no registry is reachable).
    static func importTunableImage(into panel: Panel) async throws {
        let file = NSTemporaryDirectory() + "berth-tunable-\(UUID().uuidString).json"
        try Data(
            #"""
            {"Name": "Tunable", "Image": "berth-test/busybox:latest", "AltImages": ["berth-test/busybox"],
             "Variables": {
               "MOTD": {"name": "Message of the day", "rules": "required|string|max:40", "default": "hello"},
               "LEVEL": {"rules": "required|integer|between:1,9", "default": "1", "userEditable": false}
             },
             "Startup": "echo motd=${MOTD} level=${LEVEL}; echo ready; while read line; do [ \"$line\" = stop ] && exit 0; done",
             "Ready": "ready", "StopCommand": "stop"}
            """#.utf8
        ).write(to: URL(fileURLWithPath: file))
        _ = try await panel.importImage(at: file)
    }

    @Test(
        "an owner changes an editable variable and the Docker image, applied in a new container at the next start; admins' fields are refused to them"
    )
    func ownerChangesApplyAtNextStart() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            try await Self.importTunableImage(into: panel.panel)
            let alice = try await panel.createUser("alice")
            var fields = InstanceTests.deployFields(node: node.id, user: alice, port: TestPorts.next())
            fields["imagename"] = "Tunable"
            fields["variables"] = ["MOTD": "first"]
            let deployed = try await panel.request(.POST, "/api/instances/deploy", fields)
            let id = try #require(deployed.object["Id"] as? String, "\(deployed.text)")
            let running = try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }
            let firstContainer = try #require(running["ContainerId"] as? String)
            let key = try await panel.panel.createAPIKey(name: "alice's", scopes: "instances:write", owner: alice)
            func change(_ body: [String: Any]) async throws -> HTTPAnswer {
                try await panel.request(.PATCH, "/api/v1/instances/\(id)", body, apiKey: .some(key))
            }

            for (body, status, problem) in [
                (["variables": ["LEVEL": "9"]] as [String: Any], 403, "variables: LEVEL is set by the panel's administrators, not by users"),
                (["variables": ["NOPE": "x"]], 400, "variables: NOPE is not a variable of the image Tunable"),
                (["variables": ["MOTD": String(repeating: "x", count: 41)]], 400, "variables: MOTD must be at most 40 characters"),
                (["dockerImage": "evil/miner:latest"], 400, "dockerImage must be one of the image's: berth-test/busybox:latest, berth-test/busybox"),
                (["processes": 100_000], 403, nil), (["startup": "sh -c 'cat /etc/shadow'"], 403, nil),
            ] {
                let refused = try await change(body)
                #expect(refused.status == status, "\(body): \(refused.text)")
                if let problem { #expect(refused.error == problem) }
            }
            let unchanged = try await panel.instance(id)
            #expect((unchanged["Variables"] as? [String: String])?["MOTD"] == "first" && unchanged["Image"] as? String == "berth-test/busybox:latest")

            let changed = try await change(["variables": ["MOTD": "second"], "dockerImage": "berth-test/busybox"])
            #expect(changed.status == 200, "\(changed.text)")
            #expect((changed.object["Variables"] as? [String: String])?["MOTD"] == "second")
            #expect(changed.object["Image"] as? String == "berth-test/busybox")
            // The running server is not cut off: the same container runs on until the next start.
            #expect(try await node.docker.inspectContainer(firstContainer).state.running)
            #expect((try await panel.instance(id))["ContainerId"] as? String == firstContainer)

            let restart = try await panel.request(.POST, "/api/v1/instances/\(id)/power", ["action": "restart"], apiKey: .some(key))
            #expect(restart.status == 202, "\(restart.text)")
            let restarted = try await panel.waitFor(id, "running in a new container") {
                $0["PowerState"] as? String == "running" && $0["ContainerId"] as? String != firstContainer
            }
            let renewed = try await node.docker.inspectContainer(try #require(restarted["ContainerId"] as? String))
            #expect(renewed.configuration.image == "berth-test/busybox")
            #expect(renewed.configuration.environment?.contains("MOTD=second") == true)
            #expect(renewed.configuration.environment?.contains("LEVEL=1") == true, "the admins' variable keeps its default")
            await #expect(throws: (any Error).self, "the old container is gone") { try await node.docker.inspectContainer(firstContainer) }
        }
    }

    @Test(
        "an admin sets processes live and a startup line for the next start; reinstall keeps or wipes the files; the owner sees the activity, a console-only subuser does not"
    )
    func adminSettingsReinstallAndActivity() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            try await Self.importTunableImage(into: panel.panel)
            let alice = try await panel.createUser("alice")
            var fields = InstanceTests.deployFields(node: node.id, user: alice, port: TestPorts.next())
            fields["imagename"] = "Tunable"
            fields["variables"] = ["MOTD": "first"]
            let deployed = try await panel.request(.POST, "/api/instances/deploy", fields)
            let id = try #require(deployed.object["Id"] as? String, "\(deployed.text)")
            let running = try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }
            let container = try #require(running["ContainerId"] as? String)

            let startup = #"echo custom=${MOTD}; echo ready; while read line; do [ "$line" = stop ] && exit 0; done"#
            let admin = try await panel.request(
                .PATCH,
                "/api/v1/instances/\(id)",
                ["processes": 64, "startup": startup, "variables": ["LEVEL": "7"]]
            )
            #expect(admin.status == 200, "\(admin.text)")
            #expect(try await node.docker.inspectContainer(container).hostConfiguration.pidsLimit == 64, "applied to the running container")
            for (body, problem) in [
                (["processes": 4] as [String: Any], "processes must be a whole number from 8 to 1000000"),
                (["startup": "echo a\necho b"], "startup must be one line without control characters"),
                (["extraPortLimit": -1], "extraPortLimit must be a whole number from 0 to 100"),
            ] {
                let refused = try await panel.request(.PATCH, "/api/v1/instances/\(id)", body)
                #expect(refused.status == 400 && refused.error == problem, "\(refused.text)")
            }

            // Reinstall: refused while it runs; after a stop it keeps the files, or starts from none.
            let whileRunning = try await panel.request(.POST, "/api/v1/instances/\(id)/reinstall", ["wipe": false])
            #expect(whileRunning.status == 409 && whileRunning.error == "stop the instance before reinstalling it", "\(whileRunning.text)")
            #expect(try await panel.request(.POST, "/api/v1/instances/\(id)/reinstall", ["wipe": "yes"]).status == 400)
            #expect(try await panel.request(.POST, "/api/v1/instances/\(id)/power", ["action": "stop"]).status == 202)
            _ = try await panel.waitFor(id, "stopped") { $0["PowerState"] as? String == "offline" }
            let marker = panel.dataDirectory + "/node/volumes/\(id)/world.dat"
            try Data("the world".utf8).write(to: URL(fileURLWithPath: marker))
            let kept = try await panel.request(.POST, "/api/v1/instances/\(id)/reinstall", ["wipe": false])
            #expect(kept.status == 202 && kept.object["internalState"] as? String == "INSTALLING", "\(kept.text)")
            let reinstalled = try await panel.waitFor(id, "reinstalled") {
                $0["InternalState"] as? String == "READY" && $0["ContainerId"] as? String != container
            }
            #expect(FileManager.default.fileExists(atPath: marker), "a reinstall without wipe keeps the files")
            let newContainer = try await node.docker.inspectContainer(try #require(reinstalled["ContainerId"] as? String))
            #expect(newContainer.configuration.environment?.contains("LEVEL=7") == true, "the reinstall's container has the new settings")
            #expect(newContainer.configuration.command?.joined(separator: " ").contains("custom=${MOTD}") == true)
            #expect(newContainer.hostConfiguration.pidsLimit == 64)
            let wiped = try await panel.request(.POST, "/api/v1/instances/\(id)/reinstall", ["wipe": true])
            #expect(wiped.status == 202, "\(wiped.text)")
            _ = try await panel.waitFor(id, "reinstalled from nothing") { $0["InternalState"] as? String == "READY" }
            #expect(!FileManager.default.fileExists(atPath: marker), "wipe empties the volume")
            #expect(FileManager.default.fileExists(atPath: panel.dataDirectory + "/node/volumes/\(id)"), "the volume itself is there again")

            // The owner's page lists what was done to the instance; a subuser without settings sees no Activity.
            _ = try await panel.createUser("bob")
            let shared = try await panel.request(.POST, "/api/v1/instances/\(id)/subusers", ["user": "bob", "permissions": ["console.read"]])
            #expect(shared.status == 201, "\(shared.text)")
            let owner = panel.browser()
            #expect(try await owner.signIn("alice", WebSessionTests.password).status == 303)
            let page = try await owner.get("/instances/\(id)").text
            let activity = try #require(page.range(of: #"id="activity""#).map { String(page[$0.lowerBound...]) })
            #expect(activity.contains("api POST /api/v1/instances/\(id)/reinstall"))
            #expect(activity.contains("api PATCH /api/v1/instances/\(id)"))
            #expect(page.contains(#"id="settings-variables""#) && page.contains(#"name="var.MOTD""#))
            #expect(!page.contains(#"name="var.LEVEL""#), "the admins' variable is no field of the owner's form")
            #expect(!page.contains(#"id="settings-startup""#))
            let subuser = panel.browser()
            #expect(try await subuser.signIn("bob", WebSessionTests.password).status == 303)
            let subuserPage = try await subuser.get("/instances/\(id)").text
            #expect(!subuserPage.contains(#"id="activity""#) && !subuserPage.contains(#"id="reinstall""#))
            #expect(try await subuser.post("/instances/\(id)/reinstall", ["wipe": "on"]).status == 403)
            #expect(FileManager.default.fileExists(atPath: panel.dataDirectory + "/node/volumes/\(id)"))

            // The owner's form: a changed variable is saved; an admin's field in it is refused.
            _ = try await owner.post("/instances/\(id)/settings", ["name": "game", "var.MOTD": "from the page"])
            #expect(((try await panel.instance(id))["Variables"] as? [String: String])?["MOTD"] == "from the page")
            _ = try await owner.post("/instances/\(id)/settings", ["name": "game", "startup": "sh"])
            #expect(try await owner.get("/instances/\(id)").text.contains("Only an admin changes an instance&#39;s limits and startup line."))
            try await panel.deleteInstance(id)
        }
    }
}
