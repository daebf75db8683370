import Foundation

/// The reverse proxies whose `X-Forwarded-For` the panel believes. With none (the default) the client is
/// the socket's peer and the header is ignored, since anyone can send it.
public struct TrustedProxies: Sendable {
    public let ranges: [AddressRange]

    public init(_ ranges: [AddressRange] = []) {
        self.ranges = ranges
    }

    public var isEmpty: Bool { ranges.isEmpty }

    func trusts(_ address: String) -> Bool {
        ranges.contains { $0.contains(address) }
    }

    /// The client behind `peer`: walking `X-Forwarded-For` from the right (each proxy appends the address
    /// it received from), the first address that is not a trusted proxy. A hop that is not an address
    /// ends the walk at the last trusted one, so a forged or broken header never names an arbitrary client.
    public func client(peer: String, forwardedFor: [String]) -> String {
        guard trusts(peer) else { return peer }
        var client = peer
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            guard AddressRange.bytes(of: hop) != nil else { break }
            client = hop
            if !trusts(hop) { break }
        }
        return client
    }
}
