import Testing

@testable import BerthDaemon

/// The fence's rules as text. What the fenced rules let through from a real container, applied by the real
/// iptables, is `TenantNetworkTests.fence`; this shows what the operator's `--allow-private-network` changes,
/// which a test cannot switch on for real without opening the fence that every concurrent test's daemon
/// shares on this engine. (`iptables-restore --test` is no check here: over nf_tables it accepts anything.)
@Suite("Tenant firewall rules")
struct FirewallRulesTests {
    static let ports: Set<FirewallRules.HostPort> = [.init(port: 25565, transport: "tcp"), .init(port: 19132, transport: "udp")]

    static func forwardRules(_ rules: FirewallRules) -> [String] {
        rules.restoreText.split(separator: "\n").map(String.init).filter { $0.hasPrefix("-A \(FirewallRules.forwardChain) ") }
    }

    @Test("private networks are refused after answers and published ports pass; allowed, only link-local is")
    func privateNetworks() throws {
        let fenced = Self.forwardRules(FirewallRules(publishedPorts: Self.ports, fencesPrivateNetworks: true))
        let refused = fenced.filter { $0.hasSuffix("-j REJECT --reject-with icmp-port-unreachable") }.compactMap {
            $0.split(separator: " ").dropFirst(3).first
        }
        #expect(refused == ["169.254.0.0/16", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"])
        // Answers to a LAN player, and published ports reached through the node's address, come first.
        #expect(fenced.first?.contains("--ctstate ESTABLISHED,RELATED -j RETURN") == true, "\(fenced)")
        let published = try #require(fenced.firstIndex { $0.contains("--ctstate DNAT -j RETURN") })
        let firstPrivate = try #require(fenced.firstIndex { $0.contains("10.0.0.0/8") })
        #expect(published < firstPrivate)

        let open = Self.forwardRules(FirewallRules(publishedPorts: Self.ports, fencesPrivateNetworks: false))
        #expect(open.filter { $0.contains("REJECT") }.map { $0.split(separator: " ")[3] } == ["169.254.0.0/16"], "\(open)")
    }
}
