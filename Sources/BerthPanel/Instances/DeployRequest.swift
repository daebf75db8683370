import BerthHTTP
import BerthProtocol
import Foundation

/// A deploy request read from Skyport's loose body into checked values; each problem names its field.
package struct DeployRequest: Sendable {
    let image: String
    let imageName: String?
    let memory: Int
    let cpu: Double
    let disk: Int?
    let ports: [PortMapping]
    let primaryPort: Int
    let nodeID: String
    package let name: String
    let userID: String
    let variables: [String: String]

    package init(_ fields: RequestFields) throws {
        image = try fields.string("image")
        imageName = try fields.optionalString("imagename")
        memory = try LooseQuantities.mebibytes(fields.value("memory") ?? .null, field: "memory")
        // The node's own floor (a container with less cannot start its shell), said here so the refusal
        // names the field before anything is written.
        guard memory >= 4 else { throw PanelError.invalid("memory must be at least 4 MiB") }
        cpu = try LooseQuantities.cores(fields.value("cpu") ?? .null, field: "cpu")
        disk = try fields.value("disk").map { try LooseQuantities.mebibytes($0, field: "disk") }
        ports = try LooseQuantities.ports(fields.value("ports") ?? .null, field: "ports")
        nodeID = try fields.string("nodeId")
        name = try fields.string("name")
        guard name.count <= 200 else { throw PanelError.invalid("name must be at most 200 characters") }
        userID = try fields.string("user")
        variables = try LooseQuantities.variables(fields.value("variables"), field: "variables")
        // `primary` names a port of the instance, by host port or by container port.
        if let primaryText = try fields.optionalString("primary") {
            guard let primary = Int(primaryText) else { throw PanelError.invalid("primary must be a port number") }
            guard let mapping = ports.first(where: { $0.hostPort == primary }) ?? ports.first(where: { $0.containerPort == primary }) else {
                throw PanelError.invalid("primary \(primary) is not one of the instance's ports")
            }
            primaryPort = mapping.hostPort
        } else {
            primaryPort = ports[0].hostPort
        }
    }
}
