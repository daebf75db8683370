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
    let ports: PortRequest
    let nodeID: String
    package let name: String
    let userID: String
    let variables: [String: String]
    /// Whether variables the image does not declare are taken, as the seed's `/api` takes them; the web
    /// form and Berth's own routes set only declared ones.
    package var acceptsUndeclaredVariables = true
    /// Whether the instance starts once installed: yes unless `start` is false, so a server bought through
    /// a billing tool (which has no power route in the seed's API) is running when the customer gets it.
    let startsWhenInstalled: Bool

    package init(_ fields: RequestFields) throws {
        image = try fields.string("image")
        imageName = try fields.optionalString("imagename")
        memory = try LooseQuantities.mebibytes(fields.value("memory") ?? .null, field: "memory")
        // The node's own floor (a container with less cannot start its shell), said here so the refusal
        // names the field before anything is written.
        guard memory >= ResourceLimits.smallestMemoryMiB else {
            throw PanelError.invalid("memory must be at least \(ResourceLimits.smallestMemoryMiB) MiB")
        }
        cpu = try LooseQuantities.cores(fields.value("cpu") ?? .null, field: "cpu")
        disk = try fields.value("disk").map { try LooseQuantities.mebibytes($0, field: "disk") }
        nodeID = try fields.string("nodeId")
        name = try fields.string("name")
        guard name.count <= 200 else { throw PanelError.invalid("name must be at most 200 characters") }
        userID = try fields.string("user")
        variables = try LooseQuantities.variables(fields.value("variables"), field: "variables")
        startsWhenInstalled = try fields.optionalBool("start") ?? true
        ports = try PortRequest(fields)
    }
}
