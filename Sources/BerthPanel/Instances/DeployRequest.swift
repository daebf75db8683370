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

    /// Reads every field before it refuses, so one answer names every wrong field.
    package init(_ fields: RequestFields) throws {
        var checks = FieldChecks()
        let image = try checks.check("image") { try fields.string("image") }
        let imageName = try checks.check("imagename") { try fields.optionalString("imagename") }
        let memory = try checks.check("memory") {
            let memory = try LooseQuantities.mebibytes(fields.value("memory") ?? .null, field: "memory")
            // The node's own floor (a container with less cannot start its shell), said here so the refusal
            // names the field before anything is written.
            guard memory >= ResourceLimits.smallestMemoryMiB else {
                throw PanelError.invalid("memory must be at least \(ResourceLimits.smallestMemoryMiB) MiB")
            }
            return memory
        }
        let cpu = try checks.check("cpu") { try LooseQuantities.cores(fields.value("cpu") ?? .null, field: "cpu") }
        let disk = try checks.check("disk") { try fields.value("disk").map { try LooseQuantities.mebibytes($0, field: "disk") } }
        let nodeID = try checks.check("nodeId") { try fields.string("nodeId") }
        let name = try checks.check("name") {
            let name = try fields.string("name")
            guard name.count <= 200 else { throw PanelError.invalid("name must be at most 200 characters") }
            return name
        }
        let userID = try checks.check("user") { try fields.string("user") }
        let variables = try checks.check("variables") { try LooseQuantities.variables(fields.value("variables"), field: "variables") }
        let startsWhenInstalled = try checks.check("start") { try fields.optionalBool("start") ?? true }
        let ports = try checks.check("ports") { try PortRequest(fields) }
        guard let image, let imageName, let memory, let cpu, let disk, let nodeID, let name, let userID, let variables,
            let startsWhenInstalled, let ports
        else { throw checks.refusal }
        self.image = image
        self.imageName = imageName
        self.memory = memory
        self.cpu = cpu
        self.disk = disk
        self.nodeID = nodeID
        self.name = name
        self.userID = userID
        self.variables = variables
        self.startsWhenInstalled = startsWhenInstalled
        self.ports = ports
    }
}
