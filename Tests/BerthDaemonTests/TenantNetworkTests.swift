import BerthProtocol
import BerthTestSupport
import DockerEngine
import Foundation
import Testing

@testable import BerthDaemon

/// What an instance can reach, tried from inside a real container with busybox `nc`: not the node's own
/// ports, not another tenant's container, not link-local or private addresses; but the internet (a stand-in at a
/// TEST-NET address in a namespace of the test's own) and every instance's published ports.
@Suite("Tenant network", .serialized, .timeLimit(.minutes(4)))
struct TenantNetworkTests {
    /// A tenant whose console takes `address port` lines and says what answered there. It asks as an HTTP
    /// client, so the daemon's API answers too; the other listeners answer whatever they are sent.
    static func probe(ports: [Int]) -> InstanceSpecification {
        TestDaemon.echoSpecification(
            ports: ports,
            startup:
                #"echo ready; while read address port; do echo "reply:$address:$port:$(\#(request) | nc -w 3 $address $port 2>/dev/null | head -n 1 | tr -d '\r')."; done"#
        )
    }

    static let request = #"printf 'GET / HTTP/1.0\r\n\r\n'"#

    /// A tenant serving `served` on its port to every connection.
    static func server(port: Int) -> InstanceSpecification {
        TestDaemon.echoSpecification(
            ports: [port],
            startup: "echo ready; while true; do echo served | nc -l -p \(port); done"
        )
    }

    @Test("a tenant reaches the internet and published ports, but not the node, other tenants, the metadata address or private networks")
    func fence() async throws {
        try await MetadataStandIn.with { standIn in
            let host = try TCPResponder(reply: "host-secret")
            defer { host.stop() }
            try await TestDaemon.with(host: "0.0.0.0", publishAddress: "0.0.0.0") { daemon in
                let serverPort = TestPorts.next()
                let server = Self.server(port: serverPort)
                let probe = Self.probe(ports: [TestPorts.next()])
                let served = try await daemon.deployRunning(server)
                try await daemon.deployRunning(probe)
                let serverContainer = try #require(served.containerID)
                let serverInspection = try await daemon.docker.inspectContainer(serverContainer)
                let serverEndpoint = try #require(serverInspection.networkSettings.networks?[TenantNetwork.name])
                let node = serverEndpoint.gateway  // the node's own address on the tenants' bridge
                // The rules follow the started containers in the background; make sure they are current.
                await daemon.daemon.network.refresh()

                let targets: [(name: String, address: String, port: Int, answers: Bool)] = [
                    ("the stand-in internet host", MetadataStandIn.internetAddress, MetadataStandIn.port, true),
                    ("another instance's published port at the node's address", node, serverPort, true),
                    ("a service listening on every address of the node", node, host.port, false),
                    ("the daemon's API port", node, daemon.port, false),
                    ("another tenant's container directly", serverEndpoint.ipAddress, serverPort, false),
                    ("the cloud metadata address", MetadataStandIn.metadataAddress, MetadataStandIn.port, false),
                    ("a private network address", MetadataStandIn.privateAddress, MetadataStandIn.port, false),
                ]
                let replies = try await daemon.withConsole(
                    probe.id,
                    send: targets.map { ConsoleRequest(event: .command, data: "\($0.address) \($0.port)") }
                ) { messages in messages.output.components(separatedBy: "reply:").count > targets.count }.output
                for target in targets {
                    let reply = Self.reply(in: replies, address: target.address, port: target.port)
                    #expect((reply?.isEmpty == false) == target.answers, "\(target.name): \(reply ?? "no line")")
                }

                // Positive controls: each refused target answers when asked from outside the fence.
                let direct = "echo x | busybox nc -w 3 \(serverEndpoint.ipAddress) \(serverPort)"
                #expect(try await onOwnThread { try HostShell.run(direct) }.contains("served"))
                let local = "echo x | busybox nc -w 3 127.0.0.1 \(host.port)"
                #expect(try await onOwnThread { try HostShell.run(local) }.contains("host-secret"))
                for address in [MetadataStandIn.metadataAddress, MetadataStandIn.privateAddress] {
                    #expect(try await Self.fromDefaultBridge(daemon.docker, address, MetadataStandIn.port) == "metadata-secret", "\(address)")
                }
                let daemonAnswer = try await Self.fromDefaultBridge(daemon.docker, node, daemon.port)
                #expect(daemonAnswer.hasPrefix("HTTP/1.1 "), "the daemon's port answers: \(daemonAnswer)")

                // A firewall reload that drops the jump into Berth's chain is undone by the next refresh.
                let jump = "-i \(TenantNetwork.bridgeName) -j \(FirewallRules.inputChain)"
                try await onOwnThread { try HostShell.run("iptables -w -D INPUT \(jump)") }
                await daemon.daemon.network.refresh()
                let input = try await onOwnThread { try HostShell.run("iptables -w -S INPUT") }
                #expect(input.contains("-A INPUT \(jump)"), "the jump is back: \(input)")

                try await daemon.request(.DELETE, "/api/instances/\(probe.id)")
                try await daemon.request(.DELETE, "/api/instances/\(server.id)")
            }
        }
    }

    /// The first line `nc` read from `address port`, as the probe printed it ("" when nothing answered).
    /// An install that fetches from `http://{{HOST}}:8080/` with busybox `nc`, into the volume's `downloaded`.
    static func downloading(from host: String, tolerant: Bool = false) -> InstanceSpecification {
        let fetch = #"printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 "$HOST" \#(MetadataStandIn.port) > /mnt/server/downloaded"#
        var specification = TestDaemon.echoSpecification(
            install: InstallScript(script: tolerant ? fetch + " || true" : fetch, downloads: ["http://{{HOST}}:\(MetadataStandIn.port)/server.jar"])
        )
        specification.image.environment["HOST"] = "files.example.com"
        specification.variables["HOST"] = host
        return specification
    }

    @Test("an install's download URLs are checked once filled in and resolved: not the node, link-local or private addresses")
    func installDownloads() async throws {
        try await MetadataStandIn.with { _ in
            try await TestDaemon.with { daemon in
                let refused: [(host: String, reason: String)] = [
                    ("10.1.2.3", "which is on a private network (10.1.2.3); the node's operator can allow that with --allow-private-downloads"),
                    ("169.254.169.254", "which is link-local (169.254.169.254, where cloud metadata lives)"),
                    ("2130706433", "which is this node (127.0.0.1)"),
                    ("localhost", "which is this node"),
                    ("[::1]", "which is this node (::1)"),
                ]
                for (host, reason) in refused {
                    let specification = Self.downloading(from: host)
                    _ = try await daemon.deploy(specification)
                    let failed = try await daemon.waitForInstallToEnd(specification.id)
                    #expect(failed.installState == .failed, "\(host)")
                    #expect(failed.reason?.contains(reason) == true, "\(host): \(failed.reason ?? "")")
                    let downloaded = daemon.configuration.volumesDirectory + "/\(specification.id)/downloaded"
                    #expect(!FileManager.default.fileExists(atPath: downloaded), "the script never ran for \(host)")
                    try await daemon.request(.DELETE, "/api/instances/\(specification.id)")
                }
                // The positive control: the stand-in internet host passes, and the script fetches from it.
                let allowed = Self.downloading(from: MetadataStandIn.internetAddress)
                _ = try await daemon.deploy(allowed)
                #expect(try await daemon.waitForInstallToEnd(allowed.id).installState == .ready)
                let fetched = try String(contentsOfFile: daemon.configuration.volumesDirectory + "/\(allowed.id)/downloaded", encoding: .utf8)
                #expect(fetched.contains("metadata-secret"))
                try await daemon.request(.DELETE, "/api/instances/\(allowed.id)")
            }
            // An operator who keeps files on the node's network allows private addresses; the rest stays refused.
            try await TestDaemon.with(allowsPrivateDownloads: true) { daemon in
                let privateHost = Self.downloading(from: "10.1.2.3", tolerant: true)
                _ = try await daemon.deploy(privateHost)
                #expect(try await daemon.waitForInstallToEnd(privateHost.id).installState == .ready)
                let metadata = Self.downloading(from: "169.254.169.254", tolerant: true)
                _ = try await daemon.deploy(metadata)
                #expect(try await daemon.waitForInstallToEnd(metadata.id).installState == .failed)
                for id in [privateHost.id, metadata.id] { try await daemon.request(.DELETE, "/api/instances/\(id)") }
            }
        }
    }

    static func reply(in output: String, address: String, port: Int) -> String? {
        let prefix = "reply:\(address):\(port):"
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
        return String(line.dropFirst(prefix.count).dropLast())
    }

    /// What a plain container on Docker's default bridge (no Berth rules) reads from `address port`.
    static func fromDefaultBridge(_ docker: DockerEngine, _ address: String, _ port: Int) async throws -> String {
        let container = try await docker.createContainer(
            ContainerSpecification(
                image: TestImage.name,
                command: ["/bin/sh", "-c", "\(request) | nc -w 3 \(address) \(port) | head -n 1"],
                labels: ["berth.test": "network-control"],
                hostConfiguration: HostConfiguration(networkMode: "bridge")
            )
        )
        defer { Task { try? await docker.removeContainer(container.id, force: true) } }
        try await docker.startContainer(container.id)
        _ = try await docker.waitForContainer(container.id)
        var output = ""
        for try await chunk in try await docker.containerLogs(container.id, follow: false) { output += chunk.text }
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A network namespace of the test's own holding three addresses, routed from the node: the cloud metadata
/// address 169.254.169.254, a stand-in internet host at a TEST-NET address and a stand-in for a server on the
/// node's private network, all answering on one port. Nothing leaves the machine: the node's routes to them
/// lead into the namespace (a /32 each, so a real network of the node's in 10/8 keeps its own route).
enum MetadataStandIn {
    static let metadataAddress = "169.254.169.254"
    static let internetAddress = "198.51.100.10"
    static let privateAddress = "10.254.213.10"
    static let port = 8080

    static func with(_ body: (String) async throws -> Void) async throws {
        let suffix = String(UUID().uuidString.prefix(6).lowercased())
        let namespace = "berth-test-\(suffix)"
        let outside = "bt\(suffix)h"
        let inside = "bt\(suffix)n"
        defer {
            _ = try? HostShell.run("ip netns pids \(namespace) | xargs -r kill -9")
            _ = try? HostShell.run("ip netns delete \(namespace)")
            _ = try? HostShell.run("ip link delete \(outside)")
        }
        try HostShell.run(
            """
            set -e
            ip netns add \(namespace)
            ip link add \(outside) type veth peer name \(inside)
            ip link set \(inside) netns \(namespace)
            ip addr add 169.254.169.1/32 dev \(outside)
            ip link set \(outside) up
            ip -n \(namespace) link set lo up
            ip -n \(namespace) addr add \(metadataAddress)/32 dev \(inside)
            ip -n \(namespace) addr add \(internetAddress)/32 dev \(inside)
            ip -n \(namespace) addr add \(privateAddress)/32 dev \(inside)
            ip -n \(namespace) link set \(inside) up
            ip -n \(namespace) route add default dev \(inside)
            ip route add \(metadataAddress)/32 dev \(outside)
            ip route add \(internetAddress)/32 dev \(outside)
            ip route add \(privateAddress)/32 dev \(outside)
            """
        )
        try HostShell.start(
            // nsenter, not `ip netns exec`: see TestOrigin.serving.
            "nsenter --net=/run/netns/\(namespace) /bin/busybox sh -c 'while true; do echo metadata-secret | /bin/busybox nc -l -p \(port); done'"
        )
        try await body(namespace)
    }
}
