import BerthProtocol
import Foundation

/// An instance as Skyport's API shows one: `Memory` and `Disk` in MiB and `Cpu` in cores as numbers,
/// `User` exactly the owner's `userId`. Never a secret of the node.
struct InstanceView: Codable, Sendable, Equatable {
    let Id: String
    let Name: String
    let Node: NodeSummary
    let User: String
    let Image: String
    let Memory: Int
    let Cpu: Double
    /// MiB; 0 when the deploy named none, so dashboards can sum it.
    let Disk: Int
    /// `container:host` pairs, as Skyport clients send and expect them.
    let Ports: String
    let Primary: String
    let Variables: [String: String]
    /// `INSTALLING`, `READY`, `FAILED`, or `DELETING` while the node has not confirmed a deletion.
    let InternalState: String
    let PowerState: String
    let Reason: String?
    let ContainerId: String?
    let VolumeId: String
    let Suspended: Bool
    let CreatedAt: String?

    struct NodeSummary: Codable, Sendable, Equatable {
        let id: String
        let name: String
        let address: String
        let port: Int
    }

    init(_ instance: Instance, node: Node) {
        let id = instance.id?.uuidString.lowercased() ?? ""
        Id = id
        Name = instance.name
        self.Node = NodeSummary(id: node.id?.uuidString.lowercased() ?? "", name: node.name, address: node.address, port: node.port)
        User = instance.ownerUserID
        Image = instance.dockerImage
        Memory = instance.memory
        Cpu = instance.cpu
        Disk = instance.disk ?? 0
        let mappings = (try? JSONDecoder().decode([PortMapping].self, from: Data(instance.ports.utf8))) ?? []
        Ports = mappings.map { "\($0.containerPort):\($0.hostPort)" }.joined(separator: ",")
        Primary = String(instance.primaryPort)
        Variables = (try? JSONDecoder().decode([String: String].self, from: Data(instance.variables.utf8))) ?? [:]
        InternalState = instance.deleting ? "DELETING" : instance.installState
        PowerState = instance.powerState
        Reason = instance.reason
        ContainerId = instance.containerID
        VolumeId = id
        Suspended = instance.suspended
        CreatedAt = instance.createdAt.map { ISO8601DateFormatter().string(from: $0) }
    }
}
