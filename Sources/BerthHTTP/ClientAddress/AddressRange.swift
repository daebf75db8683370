import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A block of IP addresses written as CIDR (`10.0.0.0/8`, `fd00::/8`, or one address alone), for the
/// reverse proxies a panel trusts to say who the client is.
public struct AddressRange: Sendable, Equatable, CustomStringConvertible {
    /// The network's bytes (4 for IPv4, 16 for IPv6) and how many leading bits must match.
    let network: [UInt8]
    let prefixLength: Int
    public let description: String

    /// Reads `address` or `address/prefix`; nil when it is neither.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let bytes = Self.bytes(of: parts[0]) else { return nil }
        let length: Int
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (0...bytes.count * 8).contains(parsed), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) else {
                return nil
            }
            length = parsed
        } else {
            length = bytes.count * 8
        }
        network = bytes
        prefixLength = length
        description = text
    }

    /// Whether `address` (written as text) lies in this range; anything that is not an address does not.
    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.bytes(of: address), bytes.count == network.count else { return false }
        var remaining = prefixLength
        for (ours, theirs) in zip(network, bytes) where remaining > 0 {
            let bits = min(remaining, 8)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if ours & mask != theirs & mask { return false }
            remaining -= bits
        }
        return true
    }

    /// An address's bytes; an IPv4 address written as IPv6 (`::ffff:a.b.c.d`, as a dual-stack socket
    /// reports IPv4 peers) is read as the IPv4 address it is.
    static func bytes(of address: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }
}
