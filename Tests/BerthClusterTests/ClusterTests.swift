import BerthTestSupport
import Foundation
import Testing

/// Three nodes and two panel replicas on one PostgreSQL, each node in a network namespace with its own
/// address and Docker engine (``TestCluster``). One test, in stages, because building the cluster is
/// most of its cost. Every wait is generous: what is judged is what happens, never how fast.
@Suite(
    "A cluster: three nodes, two panels",
    .serialized,
    .enabled(if: TestCluster.databaseServerURL != nil, "the cluster's panels share a PostgreSQL database (scripts/test starts one)"),
    .timeLimit(.minutes(10))
)
struct ClusterTests {
    @Test(
        "either replica serves the API and the web UI for every node; a node cut off is offline on both, refuses work with 503 and reports what changed once back; a replica killed mid-deploy loses nothing; instances move between nodes, offline and live"
    )
    func twoPanelsThreeNodes() async throws {
        try await TestCluster.with { cluster in
            let (user, instances) = try await stage("deploys on every node") { try await deployOnEveryNode(cluster) }
            try await stage("a node lost and back") { try await loseAndRecoverANode(cluster, instances: instances, user: user) }
            let moving = try await stage("a replica killed mid-deploy") { try await killAReplicaMidDeploy(cluster, instances: instances, user: user) }
            try await stage("transfers") { try await moveAnInstance(cluster, moving, instances: instances) }
        }
    }

    /// Runs one stage and says how long it took: what a reader of a slow run looks for first.
    private func stage<Result>(_ name: String, _ body: () async throws -> Result) async throws -> Result {
        let started = ContinuousClock.now
        let result = try await body()
        print("cluster stage \"\(name)\" took \(ContinuousClock.now - started)")
        return result
    }

    /// One instance per node, each deployed through one replica and followed on the other, all on the same
    /// port (each node publishes at its own address). Returns their owner's userId and their ids by node number.
    private func deployOnEveryNode(_ cluster: TestCluster) async throws -> (user: String, instances: [Int: String]) {
        let (a, b) = (cluster.panels[0], cluster.panels[1])
        let owner = try await a.request(
            .POST,
            "/api/auth/create-user",
            ["username": "owner", "email": "owner@example.com", "password": "correct horse battery"]
        )
        let user = try #require(owner.object["userId"] as? String, "\(owner.status) \(owner.text)")
        var ids: [Int: String] = [:]
        for node in cluster.nodes {
            let through = cluster.panels[node.number % 2]
            let deployed = try await through.request(
                .POST,
                "/api/instances/deploy",
                Self.deployFields(node: node.id, user: user, name: "game-\(node.number)")
            )
            ids[node.number] = try #require(deployed.object["Id"] as? String, "deploy through \(through.name): \(deployed.status) \(deployed.text)")
        }
        for node in cluster.nodes {
            let id = try #require(ids[node.number])
            let other = cluster.panels[(node.number + 1) % 2]
            let running = try await other.waitForInstance(id, "READY and running on replica \(other.name)") {
                $0?["InternalState"] as? String == "READY" && $0?["PowerState"] as? String == "running"
            }
            let shownNode = running?["Node"] as? [String: Any]
            #expect(shownNode?["id"] as? String == node.id && shownNode?["status"] as? String == "online")
            // The container is on this node's engine alone, its port published at this node's address.
            for other in cluster.nodes {
                #expect(
                    try other.containerNames().contains("berth-\(id)") == (other.number == node.number),
                    "instance \(id) on node \(other.number)'s engine"
                )
            }
            let bindings = try node.docker("inspect -f '{{json .HostConfig.PortBindings}}' berth-\(id)")
            #expect(bindings.contains("\"HostIp\":\"\(node.address)\"") && bindings.contains("\"HostPort\":\"\(Self.port)\""), "\(bindings)")
        }
        // The web UI: signed in on replica A, the same session is served by replica B.
        let password = try String(contentsOfFile: cluster.panelData + "/admin-password.txt", encoding: .utf8)
            .split(separator: "\n")[1]
        let browser = ClusterBrowser()
        let signedIn = await Result(asyncCatching: { try await browser.signIn(at: a, "admin", String(password)) })
        let served = await Result(asyncCatching: { try await browser.get(b, "/admin/instances") })
        try await browser.close()
        #expect(try signedIn.get() == 303, "the admin signs in on replica A")
        let page = try served.get()
        #expect(page.status == 200 && ids.values.allSatisfy { page.text.contains($0) }, "replica B serves A's session every instance")
        // And B relays that session's console of an instance on node 1.
        let session = try #require(browser.cookie("berth_session"), "the session's cookie")
        let instance = try #require(ids[1])
        let (status, firstFrame) = try await onOwnThread {
            let socket = try RawHTTP(
                port: b.port,
                head: RawHTTP.webSocketHandshake(
                    "/instances/\(instance)/socket",
                    port: b.port,
                    headers: ["Origin: \(b.url)", "Cookie: berth_session=\(session)"],
                    host: TestCluster.hostAddress
                ),
                address: TestCluster.hostAddress
            )
            defer { socket.shutDown() }
            return (try socket.statusLine(), try socket.nextFrame().opcode)
        }
        #expect(status.contains(" 101 "), "the console socket through replica B: \(status)")
        #expect(firstFrame == 1, "the node's first message is relayed by replica B")
        // A power action through one replica shows on the other.
        let first = try #require(ids[1])
        let stopped = try await b.request(.POST, "/api/v1/instances/\(first)/power", ["action": "stop"])
        #expect(stopped.status == 202, "\(stopped.text)")
        try await a.waitForInstance(first, "offline after a stop through replica B") { $0?["PowerState"] as? String == "offline" }
        let started = try await a.request(.POST, "/api/v1/instances/\(first)/power", ["action": "start"])
        #expect(started.status == 202, "\(started.text)")
        try await b.waitForInstance(first, "running again after a start through replica A") { $0?["PowerState"] as? String == "running" }
        return (user, ids)
    }

    /// Node 2's link is cut: both replicas show it offline, its instance read as on an offline node (listed,
    /// with its last state), deploys and power actions for it answer 503, and the other nodes go on. While
    /// cut, its instance is stopped through the node's own API from inside its namespace (as an operator at
    /// the machine could); once the link is back, the node is online again and the panels learn the new state.
    private func loseAndRecoverANode(_ cluster: TestCluster, instances: [Int: String], user: String) async throws {
        let lost = cluster.nodes[1]
        let lostInstance = try #require(instances[lost.number])
        let (a, b) = (cluster.panels[0], cluster.panels[1])
        try lost.cut()
        var restored = false
        defer { if !restored { try? lost.restore() } }
        for panel in cluster.panels {
            try await panel.waitForNode(lost.id, "offline")
            let shown = try await panel.waitForInstance(lostInstance, "shown on an offline node by replica \(panel.name)") {
                ($0?["Node"] as? [String: Any])?["status"] as? String == "offline"
            }
            #expect(shown?["PowerState"] as? String == "running", "the last state the node reported, not a made-up one")
            #expect(try await panel.instances().count == instances.count, "replica \(panel.name) still lists every instance")
            for other in cluster.nodes where other.number != lost.number {
                #expect(try await panel.nodeStatuses()[other.id] == "online", "node \(other.number) stays online on replica \(panel.name)")
            }
        }
        let deploy = try await a.request(.POST, "/api/instances/deploy", Self.deployFields(node: lost.id, user: user, name: "refused"))
        #expect(deploy.status == 503 && deploy.error?.contains("offline") == true, "deploy to an offline node: \(deploy.status) \(deploy.text)")
        let power = try await b.request(.POST, "/api/v1/instances/\(lostInstance)/power", ["action": "restart"])
        #expect(power.status == 503 && power.error?.contains("offline") == true, "power on an offline node: \(power.status) \(power.text)")
        // The others serve as before.
        let elsewhere = try #require(instances[3])
        let stop = try await b.request(.POST, "/api/v1/instances/\(elsewhere)/power", ["action": "stop"])
        #expect(stop.status == 202, "\(stop.text)")
        try await a.waitForInstance(elsewhere, "offline on a node that stayed") { $0?["PowerState"] as? String == "offline" }

        // Meanwhile on the lost node: its server is stopped there, which no panel hears of while the link is down.
        let stoppedThere = try lost.askDaemon(.POST, "/api/instances/\(lostInstance)/power", json: #"{"action": "stop"}"#)
        #expect(stoppedThere.contains("\"powerState\""), "the node's own answer: \(stoppedThere)")
        try await Task.sleep(for: .seconds(2 * TestCluster.heartbeatInterval))
        #expect(try await a.instances()[lostInstance]?["PowerState"] as? String == "running", "no panel heard of it yet")
        try lost.restore()
        restored = true
        for panel in cluster.panels {
            try await panel.waitForNode(lost.id, "online")
            try await panel.waitForInstance(lostInstance, "back online and no longer running on replica \(panel.name)") {
                ($0?["Node"] as? [String: Any])?["status"] as? String == "online" && $0?["PowerState"] as? String == "offline"
            }
        }
        let again = try await a.request(.POST, "/api/v1/instances/\(lostInstance)/power", ["action": "start"])
        #expect(again.status == 202, "power once the node is back: \(again.status) \(again.text)")
        try await b.waitForInstance(lostInstance, "running again on its returned node") { $0?["PowerState"] as? String == "running" }
    }

    /// Replica A is killed while its deploy waits for node 1 (the panel's packets to the node's daemon are
    /// dropped, so the deploy is held after its row is written): the deploy ends rolled back, never half,
    /// by replica B once A has been gone long enough; the nodes report to B meanwhile, and A, started again,
    /// sees what B sees.
    /// Returns the id of the instance deployed through the restarted replica, on node 1.
    private func killAReplicaMidDeploy(_ cluster: TestCluster, instances: [Int: String], user: String) async throws -> String {
        let (a, b) = (cluster.panels[0], cluster.panels[1])
        let node = cluster.nodes[0]
        let drop = "OUTPUT -d \(node.address) -p tcp --dport \(ClusterNode.daemonPort) -j DROP"
        try HostShell.run("iptables -I \(drop)")
        var dropping = true
        defer { if dropping { _ = try? HostShell.run("iptables -D \(drop)") } }
        let deploy = Task {
            try? await a.request(
                .POST,
                "/api/instances/deploy",
                Self.deployFields(node: node.id, user: user, name: "interrupted", port: Self.port + 1)
            )
        }
        let before = Set(try await b.instances().keys)
        var interrupted: String?
        let deadline = ContinuousClock.now + .seconds(60)
        while interrupted == nil {
            guard ContinuousClock.now < deadline else { throw TestFailure("the interrupted deploy's row never showed on replica B") }
            interrupted = try await b.instances().keys.first { !before.contains($0) }
            try await Task.sleep(for: .milliseconds(50))
        }
        a.process.terminate(SIGKILL)
        _ = await a.process.finish()
        let answer = await deploy.value
        #expect(
            answer == nil || answer?.status != 201,
            "the client of a killed replica learns nothing went through: \(String(describing: answer?.status))"
        )
        // The kernel would go on resending the dead replica's request, and the node take it once the way is
        // open (then B finds it deployed, the other whole outcome, which the panel's own tests pin): its
        // connection is destroyed first, so what is tested here is the rollback.
        try HostShell.run("ss -K dst \(node.address) dport = \(ClusterNode.daemonPort)")
        try HostShell.run("iptables -D \(drop)")
        dropping = false
        let id = try #require(interrupted)

        // B rolls it back once A has been silent long enough; the nodes meanwhile report to B alone.
        try await b.waitForInstance(id, "rolled back by replica B", seconds: 180) { $0 == nil }
        #expect(try !node.containerNames().contains("berth-\(id)"), "node 1 has nothing of the rolled-back deploy")
        for other in cluster.nodes {
            #expect(try await b.nodeStatuses()[other.id] == "online", "node \(other.number) reports to replica B")
        }
        #expect(Set(try await b.instances().keys) == Set(instances.values), "replica B lists exactly the instances that were deployed")

        let restarted = try await cluster.restart(a)
        defer { restarted.process.terminate() }
        #expect(Set(try await restarted.instances().keys) == Set(instances.values), "replica A, started again, lists what B lists")
        let again = try await restarted.request(
            .POST,
            "/api/instances/deploy",
            Self.deployFields(node: node.id, user: user, name: "after", port: Self.port + 2)
        )
        let after = try #require(again.object["Id"] as? String, "a deploy through the restarted replica: \(again.status) \(again.text)")
        try await b.waitForInstance(after, "READY and running, deployed through the restarted replica A") {
            $0?["InternalState"] as? String == "READY" && $0?["PowerState"] as? String == "running"
        }
        return after
    }

    /// An instance moves from node 1 to node 3 with its files, ports and running state; its copy on node 1
    /// goes. Before that: a move to a node where its port is taken is refused, and a move the network
    /// breaks (node 1 cannot reach node 3) fails and leaves it running on node 1, node 3 with nothing.
    /// Then it moves back live.
    private func moveAnInstance(_ cluster: TestCluster, _ id: String, instances: [Int: String]) async throws {
        let b = cluster.panels[1]
        let (source, target) = (cluster.nodes[0], cluster.nodes[2])
        let marker = Data("files travel with their instance \(UUID())".utf8)
        let written = try await b.upload(marker, to: "/marker.txt", of: id)
        #expect(written.status == 201, "\(written.status) \(written.text)")

        let taken = try await b.request(.POST, "/api/v1/instances/\(try #require(instances[1]))/transfer", ["node": target.id])
        #expect(taken.status == 409 && taken.error?.contains("port \(Self.port) is taken") == true, "\(taken.status) \(taken.text)")

        // Node 1 cannot reach node 3: the move fails, and rolls back.
        let block = "OUTPUT -d \(target.address) -p tcp --dport \(ClusterNode.daemonPort) -j REJECT"
        try HostShell.run("ip netns exec \(source.namespace) iptables -I \(block)")
        let failing = try await b.request(.POST, "/api/v1/instances/\(id)/transfer", ["node": target.id])
        #expect(failing.status == 202, "\(failing.status) \(failing.text)")
        let failed = try await b.waitForTransfer(of: id, "failed")
        try HostShell.run("ip netns exec \(source.namespace) iptables -D \(block)")
        #expect((failed["error"] as? String)?.isEmpty == false, "a failed transfer says why: \(failed)")
        let stayed = try await b.waitForInstance(id, "running on node 1 again after the failed move") { $0?["PowerState"] as? String == "running" }
        #expect((stayed?["Node"] as? [String: Any])?["id"] as? String == source.id)
        #expect(try !target.containerNames().contains("berth-\(id)"), "node 3 keeps nothing of a failed move")

        // And now it goes.
        let moving = try await b.request(.POST, "/api/v1/instances/\(id)/transfer", ["node": target.id])
        #expect(moving.status == 202, "\(moving.status) \(moving.text)")
        let done = try await b.waitForTransfer(of: id, "done")
        print("transfer: \(done)")
        #expect((done["bytes"] as? Int ?? 0) > 0 && done["downtimeMilliseconds"] != nil, "\(done)")
        let moved = try await b.waitForInstance(id, "running on node 3") {
            ($0?["Node"] as? [String: Any])?["id"] as? String == target.id && $0?["PowerState"] as? String == "running"
        }
        #expect(moved?["InternalState"] as? String == "READY")
        let bindings = try target.docker("inspect -f '{{json .HostConfig.PortBindings}}' berth-\(id)")
        #expect(bindings.contains("\"HostIp\":\"\(target.address)\""), "published at node 3's address: \(bindings)")
        let read = try await b.request(.GET, "/api/v1/instances/\(id)/files/contents?path=/marker.txt")
        #expect(read.status == 200 && read.body == marker, "the file written on node 1, read on node 3: \(read.status) \(read.text)")
        let deadline = ContinuousClock.now + .seconds(120)
        while try source.containerNames().contains("berth-\(id)") {
            guard ContinuousClock.now < deadline else { throw TestFailure("node 1 kept its copy of the moved instance") }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(try await b.waitForTransfer(of: id, "done")["sourceRemoved"] as? Bool == true)

        // And back, live: copied while it runs on node 3, stopped only for what changed since.
        let live = try await b.request(.POST, "/api/v1/instances/\(id)/transfer", ["node": source.id, "mode": "live"])
        #expect(live.status == 202 && live.object["mode"] as? String == "live", "\(live.status) \(live.text)")
        let back = try await b.waitForTransfer(of: id, "done")
        print("live transfer: \(back)")
        #expect(back["mode"] as? String == "live" && back["changedBytes"] != nil, "\(back)")
        try await b.waitForInstance(id, "running on node 1 again") {
            ($0?["Node"] as? [String: Any])?["id"] as? String == source.id && $0?["PowerState"] as? String == "running"
        }
        let again = try await b.request(.GET, "/api/v1/instances/\(id)/files/contents?path=/marker.txt")
        #expect(again.status == 200 && again.body == marker, "the file, moved twice: \(again.status) \(again.text)")
        let liveDeadline = ContinuousClock.now + .seconds(120)
        while try target.containerNames().contains("berth-\(id)") {
            guard ContinuousClock.now < liveDeadline else { throw TestFailure("node 3 kept its copy after the live move") }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    /// The same port on every node: each publishes it at its own address.
    static let port = 25565

    static func deployFields(node: String, user: String, name: String, port: Int = port) -> [String: Any] {
        [
            "image": "berth-test/busybox:latest", "imagename": "Echo", "memory": "128MB", "cpu": "50%", "ports": "\(port):\(port)",
            "nodeId": node, "name": name, "user": user, "primary": "\(port)",
        ]
    }
}
