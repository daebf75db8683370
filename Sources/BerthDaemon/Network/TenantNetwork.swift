import DockerEngine
import Foundation
import Logging

/// The Docker network every instance and installer joins, and the host firewall around it.
///
/// One bridge network (``name``) with inter-container traffic off, so one tenant cannot reach another's
/// container directly, and ``FirewallRules`` that keep tenants off the node's own ports, link-local addresses
/// and (unless the operator allows them) private networks, while leaving them outbound access to the internet
/// and every instance's published ports. Daemons sharing
/// an engine share the network; each rebuilds the rules from the engine's running containers, so none of
/// them drops another's published ports.
actor TenantNetwork {
    static let name = "berth"
    static let bridgeName = "berth0"
    static let options = [
        "com.docker.network.bridge.name": bridgeName,
        "com.docker.network.bridge.enable_icc": "false",
        "com.docker.network.bridge.enable_ip_masquerade": "true",
    ]

    private let docker: DockerEngine
    /// Off only when the operator says so (`--no-network-isolation`): then instances join Docker's default
    /// bridge as they would without Berth.
    let isolates: Bool
    /// On unless the operator runs with `--allow-private-network`.
    private let fencesPrivateNetworks: Bool
    private let logger: Logger
    private var bridge: String?
    /// The setup under way, which every caller meanwhile waits for instead of repeating it.
    private var preparing: Task<String, any Error>?

    init(docker: DockerEngine, isolates: Bool, fencesPrivateNetworks: Bool, logger: Logger) {
        self.docker = docker
        self.isolates = isolates
        self.fencesPrivateNetworks = fencesPrivateNetworks
        self.logger = logger
    }

    /// Makes sure the network and the firewall around it exist; every container is created after this,
    /// so none ever runs unfenced. Cheap once done.
    func prepare() async throws {
        guard isolates, bridge == nil else { return }
        let setup =
            preparing
            ?? Task {
                let network = try await existingOrNewNetwork()
                guard network.options["com.docker.network.bridge.enable_icc"] == "false" else {
                    throw InstanceError.failed(
                        "the Docker network \(Self.name) lets containers reach each other (enable_icc is not false); remove it and the daemon makes it anew"
                    )
                }
                try await apply(try await currentRules(), bridge: network.bridgeName)
                return network.bridgeName
            }
        preparing = setup
        defer { preparing = nil }
        bridge = try await setup.value
    }

    /// Rebuilds the rules from the ports running instances publish now: after an instance started, and
    /// every 30 s, so ports of removed instances close again and rules someone else removed come back.
    func refresh() async {
        guard isolates else { return }
        do {
            // Until the network is prepared, preparing it applies the rules: nothing more to do now.
            guard let bridge else { return try await prepare() }
            let rules = try await currentRules()
            // Applied every time, not only when the ports changed: a firewall reload or another program
            // may have removed the chains or their jumps, and the next refresh puts them back.
            try await apply(rules, bridge: bridge)
        } catch {
            logger.error("the tenant firewall could not be updated: \(error)")
        }
    }

    private func existingOrNewNetwork() async throws -> NetworkInspection {
        if let network = try await docker.inspectNetwork(Self.name) { return network }
        do {
            try await docker.createBridgeNetwork(named: Self.name, options: Self.options, labels: ["berth.network": "tenants"])
        } catch {
            // Another daemon on this engine may have made it first (the engine then answers 403 or 409).
            if let network = try await docker.inspectNetwork(Self.name) { return network }
            throw InstanceError.failed("the Docker network \(Self.name) could not be created: \(error)")
        }
        guard let network = try await docker.inspectNetwork(Self.name) else {
            throw InstanceError.failed("the Docker network \(Self.name) could not be created")
        }
        return network
    }

    /// The rules for the host ports published by the running containers of every Berth node on this engine.
    private func currentRules() async throws -> FirewallRules {
        let containers = try await docker.listContainers(all: false, labels: [ContainerBlueprint.instanceLabel])
        let ports = Set(
            containers.flatMap { container in
                container.ports.compactMap { port in port.hostPort.map { FirewallRules.HostPort(port: $0, transport: port.transport) } }
            }
        )
        return FirewallRules(publishedPorts: ports, fencesPrivateNetworks: fencesPrivateNetworks)
    }

    private func apply(_ rules: FirewallRules, bridge: String) async throws {
        do {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("berth-firewall-\(UUID().uuidString).rules")
            try Data(rules.restoreText.utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            try await HostCommand.run("iptables-restore", ["-w", "--noflush", file.path])
            try await ensureJump(from: "INPUT", bridge: bridge, to: FirewallRules.inputChain)
            // Docker keeps DOCKER-USER first in FORWARD for rules like ours; without Docker's own rules, FORWARD.
            let forward = (try? await HostCommand.run("iptables", ["-w", "-n", "-L", "DOCKER-USER"])) != nil ? "DOCKER-USER" : "FORWARD"
            try await ensureJump(from: forward, bridge: bridge, to: FirewallRules.forwardChain)
        } catch {
            throw InstanceError.failed(
                "the tenant firewall could not be set up (\(error)); run the daemon as root on the engine's machine, "
                    + "or start it with --no-network-isolation to run instances without it (never for tenants you do not trust)"
            )
        }
    }

    /// Exactly one jump from `chain` to `target` for the bridge. Daemons sharing the machine check and
    /// insert under one lock file, so two never both insert; extra copies from before are removed.
    private func ensureJump(from chain: String, bridge: String, to target: String) async throws {
        let rule = "-A \(chain) -i \(bridge) -j \(target)"
        try await FirewallLock.holding {
            let listed = try await HostCommand.run("iptables", ["-w", "-S", chain])
            let copies = listed.split(separator: "\n").filter { $0 == rule }.count
            if copies == 0 {
                try await HostCommand.run("iptables", ["-w", "-I", chain, "1", "-i", bridge, "-j", target])
            }
            for _ in 1..<max(copies, 1) {
                try await HostCommand.run("iptables", ["-w", "-D", chain, "-i", bridge, "-j", target])
            }
        }
    }
}
