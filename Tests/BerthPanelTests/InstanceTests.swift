import BerthTestSupport
import DockerEngine
import Foundation
import NIOHTTP1
import Testing

@testable import BerthPanel

@Suite("Instances through the panel, on a real node", .timeLimit(.minutes(3)))
struct InstanceTests {
    /// An image the local test engine has, with a console that echoes.
    static func importEchoImage(_ panel: TestPanel) async throws {
        try await importEchoImage(into: panel.panel)
    }

    static func importEchoImage(into panel: Panel) async throws {
        let file = NSTemporaryDirectory() + "berth-echo-\(UUID().uuidString).json"
        try Data(
            """
            {"Name": "Echo", "Image": "berth-test/busybox:latest", "AltImages": [],
             "Install": {"Script": "echo installed > /mnt/server/installed.txt"},
             "Startup": "echo ready; while read line; do echo \\"echo:$line\\"; [ \\"$line\\" = stop ] && exit 0; done", "Ready": "ready", "StopCommand": "stop"}
            """.utf8
        ).write(to: URL(fileURLWithPath: file))
        _ = try await panel.importImage(at: file)
    }

    /// Imports the echo image, deploys one instance of it for `owner` on the panel's node (with a disk of
    /// its own when `disk` says how large), and waits until it is READY; returns its id.
    static func deployReadyEcho(_ panel: TestPanel, owner: String, disk: String? = nil) async throws -> String {
        let node = try #require(panel.node)
        try await importEchoImage(panel)
        let fields = deployFields(node: node.id, user: owner, port: TestPorts.next(), disk: disk)
        let deployed = try await panel.request(.POST, "/api/instances/deploy", fields)
        let id = try #require(deployed.object["Id"] as? String, "\(deployed.status) \(deployed.text)")
        try await panel.waitFor(id, "READY") { $0["InternalState"] as? String == "READY" }
        return id
    }

    /// A seed deploy's fields; with `disk`, the node makes the instance a disk of its own (an image and its
    /// mounts: left out where a test does not look at it, so the suite's many deploys stay light).
    static func deployFields(node: String, user: String, port: Int, name: String = "game", disk: String? = nil) -> [String: Any] {
        var fields: [String: Any] = [
            "image": "berth-test/busybox:latest", "imagename": "Echo", "memory": "128MB", "cpu": "50%",
            "ports": "\(port):\(port)", "nodeId": node, "name": name, "user": user, "primary": "\(port)",
            "variables": #"{"MOTD": "hello"}"#,
        ]
        fields["disk"] = disk
        return fields
    }

    @Test("a deploy through /api starts once installed; start: false leaves it off; a start that is not true or false is a 400")
    func startsOnDeploy() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            try await Self.importEchoImage(panel)
            let user = try await panel.createUser("owner")
            // A billing tool's deploy has no power route to call after it (the seed's API has none).
            let port = TestPorts.next()
            let deployed = try await panel.request(.POST, "/api/instances/deploy", Self.deployFields(node: node.id, user: user, port: port))
            #expect(deployed.status == 201)
            let id = try #require(deployed.object["Id"] as? String)
            #expect(deployed.object["state"] as? String == "INSTALLING", "the seed's answer is unchanged")
            let running = try await panel.waitFor(id, "running without anyone pressing start") { $0["PowerState"] as? String == "running" }
            #expect(running["InternalState"] as? String == "READY")

            var leftOff = Self.deployFields(node: node.id, user: user, port: TestPorts.next(), name: "off")
            leftOff["start"] = false
            let off = try #require(try await panel.request(.POST, "/api/instances/deploy", leftOff).object["Id"] as? String)
            try await panel.waitFor(off, "READY") { $0["InternalState"] as? String == "READY" }
            try await Task.sleep(for: .seconds(2))
            #expect(try await panel.instance(off)["PowerState"] as? String == "offline", "start: false keeps it off")

            var wrong = Self.deployFields(node: node.id, user: user, port: TestPorts.next(), name: "wrong")
            wrong["start"] = "yes"
            let refused = try await panel.request(.POST, "/api/instances/deploy", wrong)
            #expect(refused.status == 400 && refused.error == "start must be true or false")
            for instance in [id, off] {
                try await panel.deleteInstance(instance)
            }
        }
    }

    @Test("deploy answers 201, the node's callbacks bring it to READY, and the loose input is stored as numbers")
    func deployToReady() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            try await Self.importEchoImage(panel)
            let user = try await panel.createUser("owner", userID: "billing-7")
            let port = TestPorts.next()
            let deployed = try await panel.request(
                .POST,
                "/api/instances/deploy",
                Self.deployFields(node: node.id, user: user, port: port, disk: "64M")
            )
            #expect(deployed.status == 201)
            let id = try #require(deployed.object["Id"] as? String)
            #expect(deployed.object["state"] as? String == "INSTALLING")

            let ready = try await panel.waitFor(id, "READY") { $0["InternalState"] as? String == "READY" }
            #expect(ready["Memory"] as? Int == 128)
            #expect(ready["Cpu"] as? Double == 0.5)
            #expect(ready["Disk"] as? Int == 64)
            #expect(FileManager.default.fileExists(atPath: panel.dataDirectory + "/node/disks/\(id).ext4"), "the node made it a disk of 64 MiB")
            #expect(ready["User"] as? String == "billing-7")
            #expect(ready["Ports"] as? String == "\(port):\(port)")
            #expect(ready["Primary"] as? String == "\(port)")
            #expect((ready["Variables"] as? [String: String])?["MOTD"] == "hello")
            let containerID = try #require(ready["ContainerId"] as? String)
            let inspection = try await node.docker.inspectContainer(containerID)
            #expect(inspection.hostConfiguration.memory == 128 << 20)
            #expect(inspection.hostConfiguration.nanoCpus == 500_000_000)

            let owned = try await panel.request(.POST, "/api/getUserInstance", ["userId": "billing-7"])
            #expect(owned.status == 200)
            #expect(owned.array.compactMap { $0["Id"] as? String } == [id])
            #expect(try await panel.request(.GET, "/api/instances").array.count == 1)

            let deleted = try await panel.request(.DELETE, "/api/instance/delete", ["id": id])
            #expect(deleted.status == 201)
            #expect(try await panel.request(.POST, "/api/getInstance", ["id": id]).status == 400)
            await #expect(throws: DockerEngineError.self) { _ = try await node.docker.inspectContainer(containerID) }
        }
    }

    @Test("deploy refuses what does not exist or does not fit, with 400 naming the problem (503 for an offline node), and keeps nothing")
    func deployRefusals() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            try await Self.importEchoImage(panel)
            let user = try await panel.createUser("refused")
            let port = TestPorts.next()
            func refusal(_ change: (inout [String: Any]) -> Void) async throws -> String? {
                var fields = Self.deployFields(node: node.id, user: user, port: port)
                change(&fields)
                let answer = try await panel.request(.POST, "/api/instances/deploy", fields)
                #expect(answer.status == 400, "\(answer.text)")
                return answer.error
            }
            #expect(try await refusal { $0["user"] = "nobody" } == "user nobody does not exist")
            #expect((try await refusal { $0["nodeId"] = UUID().uuidString })?.hasSuffix("does not exist") == true)
            #expect(
                try await refusal {
                    $0["imagename"] = "Nope"
                    $0["image"] = "nope:1"
                } == "image Nope does not exist"
            )
            #expect(try await refusal { $0["memory"] = "lots" } == "memory must be a size such as 512, \"512MB\" or \"2G\"")
            #expect(try await refusal { $0["memory"] = "-5" } == "memory must be a size such as 512, \"512MB\" or \"2G\"")
            #expect((try await refusal { $0["memory"] = "64G" })?.hasPrefix("memory: the node has") == true)
            #expect(try await refusal { $0["cpu"] = "0" } == "cpu must be a number of cores such as 1, 1.5 or \"150%\"")
            #expect((try await refusal { $0["cpu"] = 64 })?.hasPrefix("cpu: the node has") == true)
            #expect(try await refusal { $0["ports"] = "25565:99999" } == "ports: ports must be between 1 and 65535")
            #expect(try await refusal { $0["ports"] = "a:b" } == "ports must look like \"25565:25565,8080:80\" (container:host)")
            #expect(try await refusal { $0["primary"] = "1" } == "primary 1 is not one of the instance's ports")
            #expect(try await refusal { $0["variables"] = "{not json" } == "variables must be an object, or a JSON string of one")
            #expect(try await refusal { $0.removeValue(forKey: "name") } == "name is required")
            let silent = try await panel.request(
                .POST,
                "/api/nodes/create",
                [
                    "name": "silent", "tags": "", "ram": "4G", "disk": "10G", "processor": "2", "address": "127.0.0.1", "port": "\(TestPorts.next())",
                ]
            )
            let silentID = try #require((silent.object["Message"] as? [String: Any])?["id"] as? String)
            // Offline is not a wrong request but a node away for now: 503, as for every other call that needs it.
            let offline = try await panel.request(.POST, "/api/instances/deploy", Self.deployFields(node: silentID, user: user, port: port))
            #expect(offline.status == 503 && offline.error == "node silent is offline: its daemon has never sent a heartbeat", "\(offline.text)")
            #expect(try await panel.request(.GET, "/api/instances").array.isEmpty)
        }
    }

    @Test("two deploys racing for one port: exactly one gets it")
    func racingDeploys() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            try await Self.importEchoImage(panel)
            let user = try await panel.createUser("racer")
            let port = TestPorts.next()
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<4 {
                    group.addTask {
                        try await panel.request(
                            .POST,
                            "/api/instances/deploy",
                            Self.deployFields(node: node.id, user: user, port: port, name: "racer \(index)")
                        ).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == 400 }.count == 3, "\(statuses)")
            let instances = try await panel.request(.GET, "/api/instances").array
            #expect(instances.count == 1)
            for instance in instances {
                _ = try await panel.request(.DELETE, "/api/instance/delete", ["id": instance["Id"] as? String ?? ""])
            }
        }
    }

    @Test("six deploys racing for a node, each asking 40% of its memory: no more than fits is admitted")
    func racingForCapacity() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            try await Self.importEchoImage(panel)
            let user = try await panel.createUser("greedy")
            // The test node offers 4096 MiB; 40% of it, six times over.
            let statuses = try await withThrowingTaskGroup(of: HTTPAnswer.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        var fields = Self.deployFields(node: node.id, user: user, port: TestPorts.next(), name: "greedy \(index)")
                        fields["memory"] = "1639M"
                        return try await panel.request(.POST, "/api/instances/deploy", fields)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0.status == 201 }.count == 2, "\(statuses.map(\.status))")
            let refusals = statuses.filter { $0.status == 400 }
            #expect(refusals.count == 4)
            #expect(refusals.allSatisfy { $0.error?.hasPrefix("memory: the node has") == true }, "\(refusals.map(\.error))")
            let instances = try await panel.request(.GET, "/api/instances").array
            #expect(instances.map { $0["Memory"] as? Int ?? 0 }.reduce(0, +) <= 4096)
            for instance in instances {
                _ = try await panel.request(.DELETE, "/api/instance/delete", ["id": instance["Id"] as? String ?? ""])
            }
        }
    }

    @Test("suspend stops the instance and the node refuses to start it; unsuspend allows it again")
    func suspension() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            try await Self.importEchoImage(panel)
            let user = try await panel.createUser("suspended")
            let id = try #require(
                try await panel.request(.POST, "/api/instances/deploy", Self.deployFields(node: node.id, user: user, port: TestPorts.next())).object[
                    "Id"
                ] as? String
            )
            let daemon = DaemonClient(httpClient: panel.panel.nodeClient.client, box: panel.panel.box)
            let nodeRow = try #require(try await Node.find(UUID(uuidString: node.id), on: panel.panel.database.db()))
            // The deploy starts it once installed.
            try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }

            let suspended = try await panel.request(.POST, "/api/instances/suspend/\(id)")
            #expect(suspended.status == 200)
            #expect(suspended.object["Suspended"] as? Bool == true)
            try await panel.waitFor(id, "offline") { $0["PowerState"] as? String == "offline" }
            await #expect(throws: DaemonClientError.refused(409, "the instance is suspended")) {
                _ = try await daemon.power(.start, instance: id, on: nodeRow)
            }
            let unsuspended = try await panel.request(.POST, "/api/instances/unsuspend/\(id)")
            #expect(unsuspended.status == 200)
            #expect(unsuspended.object["Suspended"] as? Bool == false)
            _ = try await daemon.power(.start, instance: id, on: nodeRow)
            try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }
            #expect(try await panel.request(.POST, "/api/instances/suspend/\(UUID().uuidString)").status == 400)
            _ = try await panel.request(.DELETE, "/api/instance/delete", ["id": id])
        }
    }

    @Test("a node that is down during delete leaves the instance visibly DELETING until it is back")
    func deleteWhileNodeDown() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            try await Self.importEchoImage(panel)
            let user = try await panel.createUser("patient")
            let id = try #require(
                try await panel.request(.POST, "/api/instances/deploy", Self.deployFields(node: node.id, user: user, port: TestPorts.next())).object[
                    "Id"
                ] as? String
            )
            let ready = try await panel.waitFor(id, "READY") { $0["InternalState"] as? String == "READY" }
            let containerID = try #require(ready["ContainerId"] as? String)

            // Point the panel at a port where no daemon listens: the node is "down".
            let nodeRow = try #require(try await Node.find(UUID(uuidString: node.id), on: panel.panel.database.db()))
            nodeRow.port = TestPorts.next()
            try await nodeRow.save(on: panel.panel.database.db())
            let pending = try await panel.request(.DELETE, "/api/instance/delete", ["id": id])
            #expect(pending.status == 202)
            #expect((pending.object["message"] as? String)?.contains("marked deleting") == true)
            #expect(try await panel.instance(id)["InternalState"] as? String == "DELETING")
            #expect(try await node.docker.inspectContainer(containerID).id == containerID, "the container is still there")

            // The node comes back; the retry finishes the deletion.
            nodeRow.port = node.daemonPort
            try await nodeRow.save(on: panel.panel.database.db())
            let deadline = ContinuousClock.now + .seconds(60)
            while try await panel.request(.POST, "/api/getInstance", ["id": id]).status != 400 {
                guard ContinuousClock.now < deadline else { throw TestFailure("the deletion was never retried") }
                try await Task.sleep(for: .milliseconds(200))
            }
            await #expect(throws: DockerEngineError.self) { _ = try await node.docker.inspectContainer(containerID) }
        }
    }

    @Test("a deploy the node does not answer is a 500, and the instance is removed again, never half-kept")
    func deployToUnreachableNode() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            try await Self.importEchoImage(panel)
            let user = try await panel.createUser("unlucky")
            let nodeRow = try #require(try await Node.find(UUID(uuidString: node.id), on: panel.panel.database.db()))
            nodeRow.port = TestPorts.next()
            try await nodeRow.save(on: panel.panel.database.db())
            let port = TestPorts.next()
            let answer = try await panel.request(.POST, "/api/instances/deploy", Self.deployFields(node: node.id, user: user, port: port))
            #expect(answer.status == 500)
            #expect(answer.error?.contains("the node could not be reached") == true)
            let listed = try await panel.request(.GET, "/api/instances").array
            #expect(listed.allSatisfy { $0["InternalState"] as? String == "DELETING" })

            nodeRow.port = node.daemonPort
            try await nodeRow.save(on: panel.panel.database.db())
            let deadline = ContinuousClock.now + .seconds(60)
            while try await !panel.request(.GET, "/api/instances").array.isEmpty {
                guard ContinuousClock.now < deadline else { throw TestFailure("the half-deployed instance was never removed") }
                try await Task.sleep(for: .milliseconds(200))
            }
            // Its port is free again.
            #expect(try await panel.request(.POST, "/api/instances/deploy", Self.deployFields(node: node.id, user: user, port: port)).status == 201)
            for instance in try await panel.request(.GET, "/api/instances").array {
                _ = try await panel.request(.DELETE, "/api/instance/delete", ["id": instance["Id"] as? String ?? ""])
            }
        }
    }

    @Test("no answer anywhere contains a password hash, an API key or a node token")
    func noSecrets() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            try await Self.importEchoImage(panel)
            let user = try await panel.createUser("secretive")
            let id = try #require(
                try await panel.request(.POST, "/api/instances/deploy", Self.deployFields(node: node.id, user: user, port: TestPorts.next())).object[
                    "Id"
                ] as? String
            )
            try await panel.waitFor(id, "READY") { $0["InternalState"] as? String == "READY" }
            for (method, path) in [(HTTPMethod.GET, "/api/users"), (.GET, "/api/nodes"), (.GET, "/api/instances"), (.GET, "/api/images")] {
                _ = try await panel.request(method, path)
            }
            _ = try await panel.request(.POST, "/api/getUser", ["type": "username", "value": "secretive"])
            _ = try await panel.request(.POST, "/api/getUserInstance", ["userId": user])
            let everything = TestPanel.seen.withLock { $0.joined(separator: "\n") }
            #expect(!everything.contains(node.credentials.toNode) && !everything.contains(node.credentials.toPanel))
            #expect(!everything.contains(panel.apiKey))
            #expect(!everything.contains("$2b$") && !everything.contains("$2a$") && !everything.contains("$2y$"))
            #expect(!everything.contains("correct horse battery"))
            #expect(!everything.contains("password_hash") && !everything.contains("passwordHash"))
            _ = try await panel.request(.DELETE, "/api/instance/delete", ["id": id])
        }
    }
}
