import BerthTestSupport
import Foundation
import NIOHTTP1

/// One node of a cluster test: a network namespace with an address and a Docker engine of its own
/// (`scripts/lib/test-cluster.sh`), and a `berth daemon` process in it, configured by the panel's command.
struct ClusterNode: Sendable {
    /// 1, 2, 3, …: the node's address is 10.231.0.(10 + number).
    let number: Int
    /// The node's id on the panel.
    let id: String
    let dataDirectory: String
    let engineSocket: String
    let daemon: ChildProcess
    /// What the panel presents to the daemon (the first half of the node token).
    let tokenToNode: String

    var address: String { Self.address(number) }
    var namespace: String { "berth-test-cluster-\(number)" }
    /// This machine's end of the node's link.
    var link: String { "btcl\(number)h" }

    static func address(_ number: Int) -> String { "10.231.0.\(10 + number)" }

    /// The port every node's daemon listens on, each at its own address.
    static let daemonPort = 8443

    /// Starts the node's daemon inside its namespace, reporting to every replica.
    static func start(_ number: Int, id: String, token: String, panels: [ClusterPanel], clusterDirectory: String) async throws -> ClusterNode {
        let dataDirectory = clusterDirectory + "/node-\(number)"
        try TestNode.prepareDataDirectory(dataDirectory)
        let engineSocket = clusterDirectory + "/engine-\(number)/docker.sock"
        let configured = try await ChildProcess.run(
            BerthExecutable.path,
            [
                "daemon", "configure", "--panel", panels.map(\.url).joined(separator: ","), "--token-file", "-", "--data", dataDirectory,
                "--host", address(number), "--port", "\(daemonPort)", "--publish-address", address(number),
            ],
            input: .bytes(Data(token.utf8))
        )
        guard configured.succeeded else { throw TestFailure("node \(number) was not configured: \(configured.output)") }
        // nsenter joins the namespace's network alone, as the node's engine did: both see the same mounts.
        let daemon = try ChildProcess(
            "/usr/bin/nsenter",
            [
                "--net=/run/netns/berth-test-cluster-\(number)", BerthExecutable.path, "daemon", "run", "--data", dataDirectory,
                "--no-sftp", "--heartbeat-interval", "\(TestCluster.heartbeatInterval)", "--log-level", "warning",
            ],
            environment: ["DOCKER_HOST": "unix://" + engineSocket]
        )
        let tokenToNode = String(token.split(separator: ".").first ?? "")
        return ClusterNode(number: number, id: id, dataDirectory: dataDirectory, engineSocket: engineSocket, daemon: daemon, tokenToNode: tokenToNode)
    }

    /// Cuts the node off the cluster's network, as a pulled cable would: its link goes down.
    func cut() throws { try HostShell.run("ip link set \(link) down") }

    func restore() throws { try HostShell.run("ip link set \(link) up") }

    /// Asks the node's daemon from inside its namespace, as the panel would (its token), whatever the link
    /// to the cluster does; returns its answer.
    func askDaemon(_ method: HTTPMethod, _ path: String, json: String) throws -> String {
        // curl -k: the daemon's certificate is its own; the panel pins it, this test need not.
        try HostShell.run(
            """
            nsenter --net=/run/netns/\(namespace) curl -sk -X \(method.rawValue) -H 'Authorization: Bearer \(tokenToNode)' \
            -H 'Content-Type: application/json' -d '\(json)' https://\(address):\(Self.daemonPort)\(path)
            """
        )
    }

    /// Runs the `docker` command line against this node's engine.
    @discardableResult
    func docker(_ arguments: String) throws -> String {
        try HostShell.run("DOCKER_HOST=unix://\(engineSocket) docker \(arguments)")
    }

    /// The names of the containers on this node's engine.
    func containerNames() throws -> Set<String> {
        Set(try docker("ps -a --format '{{.Names}}'").split(separator: "\n").map(String.init))
    }
}
