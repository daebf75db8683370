import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where an address points, for the rules that keep the panel and installers off places they must never
/// connect to: a node "at" the metadata service, a download "from" the node's own network.
public enum AddressScope: Equatable, Sendable {
    /// `0.0.0.0`, `::`: not a host; a connection to it reaches this machine.
    case unspecified
    /// `127.0.0.0/8`, `::1`, `localhost`: this machine.
    case loopback
    /// `169.254.0.0/16` (the cloud metadata service is 169.254.169.254), `fe80::/10`, and the IPv6
    /// metadata address `fd00:ec2::254`.
    case linkLocal
    /// `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16`, shared `100.64.0.0/10` and unique local `fc00::/7`:
    /// a private network, such as the one the node's other machines are on.
    case privateNetwork
    case ordinary

    /// Judges the address as written; a host name other than `localhost` is taken as ordinary. IPv4 is
    /// read as the resolver reads it (`inet_aton`), shorthand included: `127.1`, `2130706433`, `0x7f.1`
    /// and `0251.0376.0251.0376` are addresses too, and an HTTP client would connect to them.
    public static func of(_ address: String) -> AddressScope {
        let lowered = address.lowercased()
        if lowered == "localhost" || lowered.hasSuffix(".localhost") { return .loopback }
        var v4 = in_addr()
        if inet_aton(address, &v4) != 0 {
            return of(ipv4: UInt32(bigEndian: v4.s_addr))
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return .ordinary }
        return of(ipv6: withUnsafeBytes(of: &v6) { Array($0) })
    }

    /// The scope of an IPv6 address given as its 16 bytes.
    public static func of(ipv6 bytes: [UInt8]) -> AddressScope {
        if bytes.allSatisfy({ $0 == 0 }) { return .unspecified }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return .loopback }
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return .linkLocal }
        // IPv4 written as IPv6 (::ffff:a.b.c.d) is that IPv4 address.
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return of(ipv4: bytes[12...].reduce(0) { $0 << 8 | UInt32($1) })
        }
        let metadata: [UInt8] = [0xFD, 0x00, 0x0E, 0xC2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54]
        if bytes == metadata { return .linkLocal }
        return bytes[0] & 0xFE == 0xFC ? .privateNetwork : .ordinary
    }

    /// The scope of an IPv4 address in host byte order.
    public static func of(ipv4 address: UInt32) -> AddressScope {
        switch address >> 24 {
        case 0: return .unspecified
        case 127: return .loopback
        case 10: return .privateNetwork
        default: break
        }
        if address >> 16 == 0xA9FE { return .linkLocal }
        if address >> 20 == 0xAC1 || address >> 16 == 0xC0A8 || address >> 22 == 0x191 { return .privateNetwork }
        return .ordinary
    }

    /// A name whose last label starts with a digit (no real domain's does) that is not a plain dotted
    /// quad: `127.1`, `2130706433`, `0x7f.1`, `01.2.3.4`. The resolver reads some of these as addresses and
    /// not others; refusing them all keeps the rule simple to state and to check.
    public static func isIPv4Shorthand(_ address: String) -> Bool {
        guard !address.contains(":"), let last = address.split(separator: ".").last, last.first?.isNumber == true else { return false }
        var v4 = in_addr()
        return inet_pton(AF_INET, address, &v4) != 1
    }
}
