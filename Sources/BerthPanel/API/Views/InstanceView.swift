import BerthProtocol
import Foundation

/// An instance as Skyport's API shows one: `Memory` and `Disk` in MiB and `Cpu` in cores as numbers,
/// `User` exactly the owner's `userId`. Never a secret of the node.
package struct InstanceView: Codable, Sendable, Equatable {
    package let Id: String
    package let Name: String
    package let Node: NodeSummary
    package let User: String
    let Image: String
    package let Memory: Int
    package let Cpu: Double
    /// MiB; 0 when the deploy named none, so dashboards can sum it.
    package let Disk: Int
    /// `container:host` pairs, as Skyport clients send and expect them.
    let Ports: String
    package let Primary: String
    package let Variables: [String: String]
    /// `INSTALLING`, `READY`, `FAILED`, or `DELETING` while the node has not confirmed a deletion.
    package let InternalState: String
    package let PowerState: String
    let Reason: String?
    let ContainerId: String?
    let VolumeId: String
    package let Suspended: Bool
    package let CreatedAt: String?

    package struct NodeSummary: Codable, Sendable, Equatable {
        let id: String
        package let name: String
        package let address: String
        let port: Int
    }

    package init(_ instance: Instance, node: Node) {
        self.init(InstanceRow(instance, node: node))
    }

    init(_ row: InstanceRow) {
        let id = row.id.uuidString.lowercased()
        Id = id
        Name = row.name
        self.Node = NodeSummary(id: row.nodeID.uuidString.lowercased(), name: row.nodeName, address: row.nodeAddress, port: row.nodePort)
        User = row.ownerUserID
        Image = row.dockerImage
        Memory = row.memory
        Cpu = row.cpu
        Disk = row.disk ?? 0
        let mappings = (try? Self.decoder.decode([PortMapping].self, from: Data(row.ports.utf8))) ?? []
        Ports = mappings.map { "\($0.containerPort):\($0.hostPort)" }.joined(separator: ",")
        Primary = String(row.primaryPort)
        Variables = (try? Self.decoder.decode([String: String].self, from: Data(row.variables.utf8))) ?? [:]
        InternalState = row.deleting ? "DELETING" : row.installState
        PowerState = row.powerState
        Reason = row.reason
        ContainerId = row.containerID
        VolumeId = id
        Suspended = row.suspended
        // A format style, not an ISO8601DateFormatter: making a formatter per instance cost a tenth of a request.
        CreatedAt = row.createdAt.map { $0.formatted(Self.dateStyle) }
    }

    /// One decoder for every view: decoding is reentrant, and making one per field showed in profiles.
    private static let decoder = JSONDecoder()
    private static let dateStyle = Date.ISO8601FormatStyle()
}
