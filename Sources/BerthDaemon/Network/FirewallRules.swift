/// The host firewall rules that fence tenants in, as `iptables-restore --noflush` text: declaring a chain
/// there replaces all of its rules in one step, so no packet ever meets a half-written chain.
///
/// Traffic from the tenants' bridge to the node itself (the daemon's port, SSH, a database listening on
/// every address, the bridge's gateway) meets ``inputChain``: only answers to connections the tenant
/// did not start, DNS, and the ports instances publish get through, so a proxy such as Velocity still
/// reaches the game servers behind it at the node's address. Traffic the node forwards meets
/// ``forwardChain``: nothing to link-local addresses (the cloud metadata service), nor, unless the operator
/// allows it, to private networks (the node's LAN or VPC, other Docker networks on the node, a carrier's
/// shared range); answers to connections from there, a LAN player's say, still get out. Traffic between
/// two containers on the bridge never gets that far: the bridge has inter-container traffic off.
struct FirewallRules: Sendable, Equatable {
    static let inputChain = "BERTH-INPUT"
    static let forwardChain = "BERTH-FORWARD"

    /// A host port that an instance publishes.
    struct HostPort: Sendable, Hashable, Comparable {
        let port: Int
        /// `tcp` or `udp`.
        let transport: String

        static func < (lhs: HostPort, rhs: HostPort) -> Bool { (lhs.transport, lhs.port) < (rhs.transport, rhs.port) }
    }

    let publishedPorts: Set<HostPort>
    let fencesPrivateNetworks: Bool

    /// RFC 1918's ranges and the carrier-grade NAT range (RFC 6598), where VPN overlays live too.
    static let privateNetworks = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"]

    /// `iptables -m multiport` takes at most 15 ports per rule.
    private static let portsPerRule = 15

    var restoreText: String {
        var lines = [
            "*filter",
            ":\(Self.inputChain) - [0:0]",
            ":\(Self.forwardChain) - [0:0]",
            "-A \(Self.inputChain) -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
            "-A \(Self.inputChain) -p udp --dport 53 -j ACCEPT",
            "-A \(Self.inputChain) -p tcp --dport 53 -j ACCEPT",
        ]
        for transport in ["tcp", "udp"] {
            let ports = publishedPorts.filter { $0.transport == transport }.map(\.port).sorted()
            for start in stride(from: 0, to: ports.count, by: Self.portsPerRule) {
                let group = ports[start..<min(start + Self.portsPerRule, ports.count)].map(String.init).joined(separator: ",")
                lines.append("-A \(Self.inputChain) -p \(transport) -m multiport --dports \(group) -j ACCEPT")
            }
        }
        lines += [
            "-A \(Self.inputChain) -j REJECT --reject-with icmp-port-unreachable",
            "-A \(Self.forwardChain) -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN",
            "-A \(Self.forwardChain) -d 169.254.0.0/16 -j REJECT --reject-with icmp-port-unreachable",
        ]
        if fencesPrivateNetworks {
            // A published port reached through an address of the node's is rewritten to its container's
            // private address before it gets here; that connection stays open to every tenant.
            lines.append("-A \(Self.forwardChain) -m conntrack --ctstate DNAT -j RETURN")
            lines += Self.privateNetworks.map { "-A \(Self.forwardChain) -d \($0) -j REJECT --reject-with icmp-port-unreachable" }
        }
        lines.append("COMMIT")
        return lines.joined(separator: "\n") + "\n"
    }
}
