import BerthTestSupport
import Foundation
import Testing

/// `berth-node`, the daemon without the panel linked in, is a node as `berth daemon` is.
@Suite("berth-node, the daemon alone")
struct NodeExecutableTests {
    @Test("berth-node configures itself from the panel's command, comes online over its pinned TLS, and runs a deploy to READY")
    func runsANode() async throws {
        try await TestPanel.with { panel in
            let daemonPort = TestPorts.next()
            let created = try await panel.request(
                .POST,
                "/api/nodes/create",
                ["name": "lean", "tags": "", "ram": "4G", "disk": "10G", "processor": "2", "address": "127.0.0.1", "port": "\(daemonPort)"]
            )
            let node = try #require((created.object["Message"] as? [String: Any])?["id"] as? String, "\(created.text)")
            // "echo TOKEN | berth daemon configure ...": the token, then the command an operator runs.
            let command = try #require(created.object["configureCommand"] as? String)
            let token = String(command.split(separator: " ")[1])
            let data = NSTemporaryDirectory() + "berth-node-\(UUID().uuidString.prefix(8))"
            try TestNode.prepareDataDirectory(data)
            defer { try? FileManager.default.removeItem(atPath: data) }
            let configured = try await ChildProcess.run(
                BerthExecutable.nodePath,
                [
                    "configure", "--panel", "http://127.0.0.1:\(panel.port)", "--token-file", "-", "--data", data, "--host", "127.0.0.1",
                    "--port", "\(daemonPort)", "--publish-address", "127.0.0.1",
                ],
                input: .bytes(Data(token.utf8))
            )
            #expect(configured.succeeded, "\(configured.output)")

            let daemon = try ChildProcess(BerthExecutable.nodePath, ["run", "--data", data, "--no-sftp"])
            defer { daemon.terminate() }
            let deadline = ContinuousClock.now + .seconds(60)
            while try await panel.request(.GET, "/api/nodes").array.first(where: { $0["id"] as? String == node })?["status"] as? String != "online" {
                guard ContinuousClock.now < deadline, daemon.isRunning else {
                    throw TestFailure("berth-node never came online: \(daemon.outputSoFar)")
                }
                try await Task.sleep(for: .milliseconds(200))
            }

            try await InstanceTests.importEchoImage(panel)
            let owner = try await panel.createUser("owner")
            let deployed = try await panel.request(
                .POST,
                "/api/instances/deploy",
                InstanceTests.deployFields(node: node, user: owner, port: TestPorts.next())
            )
            let id = try #require(deployed.object["Id"] as? String, "\(deployed.status) \(deployed.text)")
            try await panel.waitFor(id, "READY") { $0["InternalState"] as? String == "READY" }
            try await panel.deleteInstance(id)

            daemon.terminate()
            #expect(await daemon.finish().status == 0, "berth-node stops cleanly on SIGTERM")
        }
    }
}
