import BerthTestSupport
import Foundation

/// Berth beyond one machine, on one machine: nodes in network namespaces of their own, each with its own
/// address and Docker engine (`scripts/lib/test-cluster.sh`), and panel replicas as processes of their own
/// on one PostgreSQL database. Everything is removed at the end, also when the body failed.
struct TestCluster: Sendable {
    let directory: String
    let panels: [ClusterPanel]
    let nodes: [ClusterNode]
    let databaseURL: String
    /// The replicas' shared data directory.
    let panelData: String

    /// This machine's address on the cluster's bridge, where the replicas listen.
    static let hostAddress = "10.231.0.1"
    /// Short, so a node's loss shows soon; the tests still wait generously for what follows from it.
    static let heartbeatInterval = 1
    static let nodeTimeout: TimeInterval = 5

    static var databaseServerURL: String? {
        ProcessInfo.processInfo.environment["BERTH_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The script that builds the namespaces and engines, found from this file's place in the repository.
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/lib/test-cluster.sh").path
    }

    static func with(nodes nodeCount: Int = 3, replicas: Int = 2, _ body: (TestCluster) async throws -> Void) async throws {
        guard let serverURL = databaseServerURL else { throw TestFailure("the cluster test needs PostgreSQL: BERTH_TEST_DATABASE_URL") }
        let directory = "/tmp/berth-cluster"
        defer { _ = try? HostShell.run("\(script) down \(directory)") }
        try HostShell.run("\(script) up \(directory) \(nodeCount)")
        let databaseURL = try await freshDatabase(on: serverURL)
        let panelData = directory + "/panel"
        // Replicas share the data directory for its panel.key, which seals the nodes' secrets in the database.
        let key = try await BerthExecutable.run(
            ["apikey", "create", "--name", "cluster", "--data", panelData],
            environment: ["BERTH_DATABASE_URL": databaseURL]
        )
        guard key.succeeded else { throw TestFailure("no API key: \(key.output)") }
        try await importEchoImage(into: panelData, databaseURL: databaseURL)
        var panels: [ClusterPanel] = []
        var nodes: [ClusterNode] = []
        defer {
            for node in nodes { node.daemon.terminate(SIGKILL) }
            for panel in panels { panel.process.terminate(SIGKILL) }
        }
        // One after the other: the first applies the database's migrations.
        for replica in 0..<replicas {
            let name = String(UnicodeScalar(UInt8(ascii: "A") + UInt8(replica)))
            panels.append(
                try await ClusterPanel.start(
                    name,
                    port: try TestPorts.free(),
                    dataDirectory: panelData,
                    databaseURL: databaseURL,
                    apiKey: key.lastLine
                )
            )
        }
        for number in 1...nodeCount {
            let created = try await panels[0].request(
                .POST,
                "/api/nodes/create",
                [
                    "name": "node-\(number)", "tags": "", "ram": "4G", "disk": "10G", "processor": "2", "address": ClusterNode.address(number),
                    "port": "\(ClusterNode.daemonPort)",
                ]
            )
            guard let id = (created.object["Message"] as? [String: Any])?["id"] as? String,
                let command = created.object["configureCommand"] as? String
            else { throw TestFailure("node \(number) was not created: \(created.status) \(created.text)") }
            // "echo TOKEN | berth daemon configure …"
            let token = String(command.split(separator: " ")[1])
            nodes.append(try await ClusterNode.start(number, id: id, token: token, panels: panels, clusterDirectory: directory))
        }
        let cluster = TestCluster(directory: directory, panels: panels, nodes: nodes, databaseURL: databaseURL, panelData: panelData)
        for panel in panels {
            for node in nodes { try await panel.waitForNode(node.id, "online") }
        }
        do {
            try await body(cluster)
        } catch {
            // What the processes said is what a reader of a failed run needs first.
            for panel in panels { print("panel \(panel.name) said:\n\(panel.process.outputSoFar.suffix(4000))") }
            for node in nodes { print("node \(node.number) said:\n\(node.daemon.outputSoFar.suffix(4000))") }
            throw error
        }
        for node in nodes {
            node.daemon.terminate()
            _ = await node.daemon.finish()
        }
    }

    /// Starts `panel` again where it was (after it was killed); the caller stops it.
    func restart(_ panel: ClusterPanel) async throws -> ClusterPanel {
        try await ClusterPanel.start(panel.name, port: panel.port, dataDirectory: panelData, databaseURL: databaseURL, apiKey: panel.apiKey)
    }

    /// A database of its own on the test server.
    private static func freshDatabase(on serverURL: String) async throws -> String {
        let name = "berth_cluster_\(UUID().uuidString.prefix(8).lowercased())"
        let created = try await ChildProcess.run("/usr/bin/psql", [serverURL, "-q", "-c", "CREATE DATABASE \(name)"])
        guard created.succeeded, var components = URLComponents(string: serverURL) else { throw TestFailure("no database: \(created.output)") }
        components.path = "/" + name
        return components.string ?? serverURL
    }

    /// The image the tests deploy: busybox answering its console line by line.
    private static func importEchoImage(into panelData: String, databaseURL: String) async throws {
        let file = panelData + "/echo.json"
        try Data(
            """
            {"Name": "Echo", "Image": "berth-test/busybox:latest", "AltImages": [],
             "Install": {"Script": "echo installed > /mnt/server/installed.txt"},
             "Startup": "echo ready; while read line; do echo \\"echo:$line\\"; [ \\"$line\\" = stop ] && exit 0; done", "Ready": "ready", "StopCommand": "stop"}
            """.utf8
        ).write(to: URL(fileURLWithPath: file))
        let imported = try await BerthExecutable.run(
            ["image", "import", file, "--data", panelData],
            environment: ["BERTH_DATABASE_URL": databaseURL]
        )
        guard imported.succeeded else { throw TestFailure("the echo image was not imported: \(imported.output)") }
    }
}
