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

    /// Deploys the Tunable image for `owner` with MOTD "first", starting once installed; returns its id.
    static func deployTunable(on panel: TestPanel, owner: String) async throws -> String {
        var fields = InstanceTests.deployFields(node: try #require(panel.node).id, user: owner, port: TestPorts.next())
        fields["imagename"] = "Tunable"
        fields["variables"] = ["MOTD": "first"]
        let deployed = try await panel.request(.POST, "/api/instances/deploy", fields)
        return try #require(deployed.object["Id"] as? String, "\(deployed.text)")
    }

    @Test(
        "an owner changes an editable variable and the Docker image, applied in a new container at the next start; admins' fields are refused to them"
    )
    func ownerChangesApplyAtNextStart() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            try await Self.importTunableImage(into: panel.panel)
            let alice = try await panel.createUser("alice")
            let id = try await Self.deployTunable(on: panel, owner: alice)
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
            let id = try await Self.deployTunable(on: panel, owner: alice)
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
                (["backupLimit": 1001], "backupLimit must be a whole number from 0 to 1000"),
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
            // The tenant's link to a host folder is removed as a link: what it points at stays.
            let hostFolder = NSTemporaryDirectory() + "berth-host-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: hostFolder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: hostFolder) }
            try Data("host".utf8).write(to: URL(fileURLWithPath: hostFolder + "/keep.txt"))
            try FileManager.default.createSymbolicLink(atPath: panel.dataDirectory + "/node/volumes/\(id)/escape", withDestinationPath: hostFolder)
            let wiped = try await panel.request(.POST, "/api/v1/instances/\(id)/reinstall", ["wipe": true])
            #expect(wiped.status == 202, "\(wiped.text)")
            _ = try await panel.waitFor(id, "reinstalled from nothing") { $0["InternalState"] as? String == "READY" }
            #expect(!FileManager.default.fileExists(atPath: marker), "wipe empties the volume")
            let volumes = panel.dataDirectory + "/node/volumes"
            let deadline = ContinuousClock.now + .seconds(30)
            while try FileManager.default.contentsOfDirectory(atPath: volumes).contains(where: { $0.hasPrefix(".\(id).wiped-") }) {
                guard ContinuousClock.now < deadline else { throw TestFailure("the old files were never removed") }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(try String(contentsOfFile: hostFolder + "/keep.txt", encoding: .utf8) == "host", "the host folder behind the link is untouched")
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

    @Test(
        "an owner adds ports from the node's ranges up to the admin's limit, each once under concurrency, and removes only those; the next start publishes them"
    )
    func extraPorts() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            try await InstanceTests.importEchoImage(panel)
            let range = TestPorts.range(3)
            let ranges = try await panel.request(.PATCH, "/api/v1/nodes/\(node.id)", ["portRanges": "\(range.lowerBound)-\(range.upperBound)"])
            #expect(ranges.status == 200, "\(ranges.text)")
            let alice = try await panel.createUser("alice")
            let deployPort = TestPorts.next()
            let deployed = try await panel.request(
                .POST,
                "/api/instances/deploy",
                InstanceTests.deployFields(node: node.id, user: alice, port: deployPort)
            )
            let id = try #require(deployed.object["Id"] as? String, "\(deployed.text)")
            let first = try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }
            let key = try await panel.panel.createAPIKey(name: "alice's", scopes: "instances:write", owner: alice)
            func addPort() async throws -> HTTPAnswer {
                try await panel.request(.POST, "/api/v1/instances/\(id)/ports", [:], apiKey: .some(key))
            }

            let none = try await addPort()
            #expect(
                none.status == 409 && none.error == "this instance may not have ports beyond those of its deploy; an admin sets how many",
                "\(none.text)"
            )
            let grab = try await panel.request(.PATCH, "/api/v1/instances/\(id)", ["extraPortLimit": 5], apiKey: .some(key))
            #expect(grab.status == 403, "only an admin sets the allowance")
            #expect(try await panel.request(.PATCH, "/api/v1/instances/\(id)", ["extraPortLimit": 2]).status == 200)

            // Three at once for an allowance of two: two get a port each, distinct, from the range.
            let answers = try await withThrowingTaskGroup(of: HTTPAnswer.self) { group in
                for _ in 0..<3 { group.addTask { try await addPort() } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.filter { $0.status == 201 }.count == 2, "\(answers.map(\.text))")
            #expect(answers.contains { $0.status == 409 && $0.error == "this instance has all 2 extra port(s) it may have; remove one first" })
            let ports = try #require((try await panel.instance(id))["Ports"] as? String)
            let published = ports.split(separator: ",").compactMap { Int($0.split(separator: ":")[1]) }
            let extras = published.filter { $0 != deployPort }
            #expect(published.first == deployPort && extras.count == 2 && Set(extras).count == 2, "\(ports)")
            #expect(extras.allSatisfy(range.contains), "\(extras) from the node's range \(range)")

            // The running container is not cut off; the next start publishes the new ports.
            #expect((try await panel.instance(id))["ContainerId"] as? String == first["ContainerId"] as? String)
            #expect(try await panel.request(.POST, "/api/v1/instances/\(id)/power", ["action": "restart"]).status == 202)
            let restarted = try await panel.waitFor(id, "running in a new container") {
                $0["PowerState"] as? String == "running" && $0["ContainerId"] as? String != first["ContainerId"] as? String
            }
            let inspection = try await node.docker.inspectContainer(try #require(restarted["ContainerId"] as? String))
            for port in extras {
                #expect(inspection.networkSettings.ports?["\(port)/tcp"] != nil && inspection.networkSettings.ports?["\(port)/udp"] != nil)
            }

            for (path, status, problem) in [
                ("\(deployPort)", 409, "port \(deployPort) came with the deploy; only ports added later can be removed"),
                ("1", 404, "port 1 is not one of this instance's"), ("abc", 400, "port must be a whole number from 1 to 65535"),
            ] {
                let refused = try await panel.request(.DELETE, "/api/v1/instances/\(id)/ports/\(path)", [:], apiKey: .some(key))
                #expect(refused.status == status && refused.error == problem, "\(refused.text)")
            }
            let removed = try await panel.request(.DELETE, "/api/v1/instances/\(id)/ports/\(extras[0])", [:], apiKey: .some(key))
            #expect(
                removed.status == 200 && removed.object["Ports"] as? String == "\(deployPort):\(deployPort),\(extras[1]):\(extras[1])",
                "\(removed.text)"
            )

            // The page: the allowance, a Remove button on the added port alone, and the add form that works.
            let owner = panel.browser()
            #expect(try await owner.signIn("alice", WebSessionTests.password).status == 303)
            let page = try await owner.get("/instances/\(id)").text
            #expect(page.contains("1 of 2 extra port(s) in use") && page.contains(#"id="add-port""#))
            #expect(page.contains("/ports/\(extras[1])/remove") && !page.contains("/ports/\(deployPort)/remove"))
            #expect(try await owner.post("/instances/\(id)/ports").location == "/instances/\(id)")
            let full = try await owner.get("/instances/\(id)").text
            #expect(full.contains("2 of 2 extra port(s) in use") && !full.contains(#"id="add-port""#))
            #expect(full.contains("/ports/\(extras[0])/remove"), "the port freed by the removal was taken again")
            try await panel.deleteInstance(id)
        }
    }

    @Test("a change the node cannot take changes nothing: variables stay, an added port's allocation goes again; panel-only fields still change")
    func changesTheNodeMissesAreUndone() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            try await Self.importTunableImage(into: panel.panel)
            let range = TestPorts.range(2)
            #expect(
                try await panel.request(.PATCH, "/api/v1/nodes/\(node.id)", ["portRanges": "\(range.lowerBound)-\(range.upperBound)"]).status == 200
            )
            let alice = try await panel.createUser("alice")
            let id = try await Self.deployTunable(on: panel, owner: alice)
            _ = try await panel.waitFor(id, "READY") { $0["InternalState"] as? String == "READY" }
            #expect(try await panel.request(.PATCH, "/api/v1/instances/\(id)", ["extraPortLimit": 1]).status == 200)
            let portsBefore = try await panel.instance(id)["Ports"] as? String

            // Point the panel at a port where no daemon listens: the node is "down" (503: it could not be reached,
            // as opposed to a node that answered and failed, 500).
            let db = panel.panel.database.db()
            let nodeRow = try #require(try await Node.find(UUID(uuidString: node.id), on: db))
            nodeRow.port = TestPorts.next()
            try await nodeRow.save(on: db)
            let variables = try await panel.request(.PATCH, "/api/v1/instances/\(id)", ["variables": ["MOTD": "lost"], "name": "renamed"])
            #expect(variables.status == 503, "\(variables.text)")
            #expect(variables.error?.hasPrefix("the new settings were not applied, and the old ones stay") == true)
            let kept = try await panel.instance(id)
            #expect((kept["Variables"] as? [String: String])?["MOTD"] == "first" && kept["Name"] as? String == "game")
            let port = try await panel.request(.POST, "/api/v1/instances/\(id)/ports", [:])
            #expect(port.status == 503, "\(port.text)")
            #expect(try await panel.instance(id)["Ports"] as? String == portsBefore)
            let instanceID = try #require(UUID(uuidString: id))
            #expect(try await panel.panel.instances.extraPorts(of: instanceID).isEmpty)
            let renamed = try await panel.request(.PATCH, "/api/v1/instances/\(id)", ["name": "renamed"])
            #expect(renamed.status == 200 && renamed.object["Name"] as? String == "renamed", "the name is the panel's alone")

            nodeRow.port = node.daemonPort
            try await nodeRow.save(on: db)
            let back = try await panel.request(.POST, "/api/v1/instances/\(id)/ports", [:])
            #expect(back.status == 201, "\(back.text)")
            #expect(try await panel.panel.instances.extraPorts(of: instanceID).count == 1)
            try await panel.deleteInstance(id)
        }
    }
}
