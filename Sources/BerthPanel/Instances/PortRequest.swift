import BerthProtocol

/// The host ports a deploy asks for: listed by the client as the seed's `ports`, or a number of them
/// (`portCount`, one when neither is sent) that the node hands out from its port ranges.
package enum PortRequest: Sendable, Equatable {
    /// The mappings, and the host port of the primary one.
    case listed([PortMapping], primary: Int)
    case fromRanges(count: Int)

    init(_ fields: RequestFields) throws {
        let primary = try fields.optionalString("primary")
        guard let value = fields.value("ports"), value != .string("") else {
            guard primary == nil else {
                throw PanelError.invalid("primary names one of ports; ports taken from the node's ranges make the first one primary")
            }
            let count = try fields.optionalString("portCount").map { Int($0) } ?? 1
            guard let count, (1...LooseQuantities.maximumPorts).contains(count) else {
                throw PanelError.invalid("portCount must be a whole number from 1 to \(LooseQuantities.maximumPorts)")
            }
            self = .fromRanges(count: count)
            return
        }
        guard !fields.has("portCount") else { throw PanelError.invalid("send ports or portCount, not both") }
        let ports = try LooseQuantities.ports(value, field: "ports")
        // `primary` names a port of the instance, by host port or by container port.
        guard let primaryText = primary else {
            self = .listed(ports, primary: ports[0].hostPort)
            return
        }
        guard let primary = Int(primaryText) else { throw PanelError.invalid("primary must be a port number") }
        guard let mapping = ports.first(where: { $0.hostPort == primary }) ?? ports.first(where: { $0.containerPort == primary }) else {
            throw PanelError.invalid("primary \(primary) is not one of the instance's ports")
        }
        self = .listed(ports, primary: mapping.hostPort)
    }
}
