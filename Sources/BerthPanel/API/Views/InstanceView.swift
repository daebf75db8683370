import BerthHTTP
import BerthProtocol
import Foundation

/// An instance as Skyport's API shows one: `Memory` and `Disk` in MiB and `Cpu` in cores as numbers,
/// `User` exactly the owner's `userId`. Never a secret of the node.
package struct InstanceView: Codable, Sendable, Equatable {
    package let id: String
    package let name: String
    package let node: NodeSummary
    /// The owner's `userId`.
    package let user: String
    /// The Docker image it runs.
    let image: String
    package let memory: Int
    package let cpu: Double
    /// MiB; 0 when the deploy named none, so dashboards can sum it.
    package let disk: Int
    /// `container:host` pairs, as Skyport clients send and expect them.
    let ports: String
    package let primary: String
    package let variables: [String: String]
    /// `INSTALLING`, `READY`, `FAILED`, or `DELETING` while the node has not confirmed a deletion.
    package let internalState: String
    package let powerState: String
    let reason: String?
    let containerID: String?
    let volumeID: String
    package let suspended: Bool
    package let createdAt: String?

    /// Skyport's field names.
    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case name = "Name"
        case node = "Node"
        case user = "User"
        case image = "Image"
        case memory = "Memory"
        case cpu = "Cpu"
        case disk = "Disk"
        case ports = "Ports"
        case primary = "Primary"
        case variables = "Variables"
        case internalState = "InternalState"
        case powerState = "PowerState"
        case reason = "Reason"
        case containerID = "ContainerId"
        case volumeID = "VolumeId"
        case suspended = "Suspended"
        case createdAt = "CreatedAt"
    }

    package struct NodeSummary: Codable, Sendable, Equatable {
        package let id: String
        package let name: String
        package let address: String
        let port: Int
        /// `offline` once the node has been silent for the panel's node timeout: the instance's states
        /// are then the last its node reported, and nothing can be asked of it until it is back.
        package let status: String
    }

    package init(_ instance: Instance, node: Node) {
        self.init(InstanceRow(instance, node: node))
    }

    init(_ row: InstanceRow) {
        id = row.id.uuidString.lowercased()
        name = row.name
        node = NodeSummary(
            id: row.nodeID.uuidString.lowercased(),
            name: row.nodeName,
            address: row.nodeAddress,
            port: row.nodePort,
            status: row.nodeReportedOffline ? "offline" : "online"
        )
        user = row.ownerUserID
        image = row.dockerImage
        memory = row.memory
        cpu = row.cpu
        disk = row.disk ?? 0
        let mappings = (try? Self.decoder.decode([PortMapping].self, from: Data(row.ports.utf8))) ?? []
        ports = mappings.map { "\($0.containerPort):\($0.hostPort)" }.joined(separator: ",")
        primary = String(row.primaryPort)
        variables = (try? Self.decoder.decode([String: String].self, from: Data(row.variables.utf8))) ?? [:]
        internalState = row.deleting ? "DELETING" : row.installState
        powerState = row.powerState
        reason = row.reason
        containerID = row.containerID
        volumeID = id
        suspended = row.suspended
        // A format style, not an ISO8601DateFormatter: making a formatter per instance cost a tenth of a request.
        createdAt = row.createdAt.map { $0.formatted(Self.dateStyle) }
    }

    /// One decoder for every view: decoding is reentrant, and making one per field showed in profiles.
    private static let decoder = JSONDecoder()
    private static let dateStyle = Date.ISO8601FormatStyle()
}

extension InstanceView: JSONWritable {
    /// The fields in the order `.sortedKeys` puts their coding keys.
    package func write(to writer: inout JSONWriter) {
        writer.object { json in
            json.field("ContainerId", containerID)
            json.field("Cpu", cpu)
            json.field("CreatedAt", createdAt)
            json.field("Disk", disk)
            json.field("Id", id)
            json.field("Image", image)
            json.field("InternalState", internalState)
            json.field("Memory", memory)
            json.field("Name", name)
            json.field("Node") { node in
                node.field("address", self.node.address)
                node.field("id", self.node.id)
                node.field("name", self.node.name)
                node.field("port", self.node.port)
                node.field("status", self.node.status)
            }
            json.field("Ports", ports)
            json.field("PowerState", powerState)
            json.field("Primary", primary)
            json.field("Reason", reason)
            json.field("Suspended", suspended)
            json.field("User", user)
            json.field("Variables", variables)
            json.field("VolumeId", volumeID)
        }
    }
}
