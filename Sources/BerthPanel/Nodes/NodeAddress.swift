import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where a node address points, for the rule that keeps nodes off addresses the panel must never call:
/// the panel sends a node its token and instance specifications, so a node "at" the cloud metadata
/// service or at the panel's own machine would turn the panel into a way in.
enum NodeAddress {
    enum Kind: Equatable {
        /// `0.0.0.0`, `::`: not a host; a connection to it reaches this machine.
        case unspecified
        /// `127.0.0.0/8`, `::1`, `localhost`: this machine.
        case loopback
        /// `169.254.0.0/16` (the cloud metadata service is 169.254.169.254), `fe80::/10`, and the IPv6
        /// metadata address `fd00:ec2::254`.
        case linkLocal
        case ordinary
    }

    /// Judges the address as written; a host name other than `localhost` is taken as ordinary. IPv4 is
    /// read as the resolver reads it (`inet_aton`), shorthand included: `127.1`, `2130706433`, `0x7f.1`
    /// and `0251.0376.0251.0376` are addresses too, and the HTTP client would connect to them.
    static func kind(of address: String) -> Kind {
        let lowered = address.lowercased()
        if lowered == "localhost" || lowered.hasSuffix(".localhost") { return .loopback }
        var v4 = in_addr()
        if inet_aton(address, &v4) != 0 {
            return kind(ipv4: UInt32(bigEndian: v4.s_addr))
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return .ordinary }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes.allSatisfy({ $0 == 0 }) { return .unspecified }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return .loopback }
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return .linkLocal }
        // IPv4 written as IPv6 (::ffff:a.b.c.d) is that IPv4 address.
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return kind(ipv4: bytes[12...].reduce(0) { $0 << 8 | UInt32($1) })
        }
        let metadata: [UInt8] = [0xFD, 0x00, 0x0E, 0xC2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54]
        return bytes == metadata ? .linkLocal : .ordinary
    }

    /// A name whose last label starts with a digit (no real domain's does) that is not a plain dotted
    /// quad: `127.1`, `2130706433`, `0x7f.1`, `01.2.3.4`. The resolver reads some of these as addresses and
    /// not others; refusing them all keeps the rule simple to state and to check.
    static func isIPv4Shorthand(_ address: String) -> Bool {
        guard !address.contains(":"), let last = address.split(separator: ".").last, last.first?.isNumber == true else { return false }
        var v4 = in_addr()
        return inet_pton(AF_INET, address, &v4) != 1
    }

    private static func kind(ipv4 address: UInt32) -> Kind {
        switch address >> 24 {
        case 0: return .unspecified
        case 127: return .loopback
        default: return address >> 16 == 0xA9FE ? .linkLocal : .ordinary
        }
    }

    /// Why `address` is refused for a node, or nil when it may be one.
    static func problem(with address: String, allowingLoopback: Bool) -> String? {
        if isIPv4Shorthand(address) {
            return "address \(address) is neither a host name nor an IPv4 address written as four decimal numbers (a.b.c.d)"
        }
        return switch kind(of: address) {
        case .unspecified:
            "address \(address) is not a host the panel can reach; give the node's own address"
        case .linkLocal:
            "address \(address) is link-local (the cloud metadata service lives there); a node cannot be there"
        case .loopback where !allowingLoopback:
            "address \(address) is this machine; a node on loopback needs the panel started with --allow-loopback-nodes"
        case .loopback, .ordinary:
            nil
        }
    }
}
