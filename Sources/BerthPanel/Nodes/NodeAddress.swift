import BerthProtocol

/// The rule that keeps nodes off addresses the panel must never call: the panel sends a node its token and
/// instance specifications, so a node "at" the cloud metadata service or at the panel's own machine would
/// turn the panel into a way in. A node on a private network is ordinary.
enum NodeAddress {
    /// Why `address` is refused for a node, or nil when it may be one.
    static func problem(with address: String, allowingLoopback: Bool) -> String? {
        if AddressScope.isIPv4Shorthand(address) {
            return "address \(address) is neither a host name nor an IPv4 address written as four decimal numbers (a.b.c.d)"
        }
        return switch AddressScope.of(address) {
        case .unspecified:
            "address \(address) is not a host the panel can reach; give the node's own address"
        case .linkLocal:
            "address \(address) is link-local (the cloud metadata service lives there); a node cannot be there"
        case .loopback where !allowingLoopback:
            "address \(address) is this machine; a node on loopback needs the panel started with --allow-loopback-nodes"
        case .loopback, .privateNetwork, .ordinary:
            nil
        }
    }
}
