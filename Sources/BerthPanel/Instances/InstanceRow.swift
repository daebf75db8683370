import Foundation

/// What an ``InstanceView`` shows of an instance and its node, read in one query (see
/// ``InstanceStore/views(_:)``). The API's read routes decode this plain row instead of the `Instance`
/// model: the model's reflection-driven loading and a second query for the node cost most of a request.
struct InstanceRow: Decodable, Sendable {
    let id: UUID
    let name: String
    let ownerUserID: String
    let dockerImage: String
    let memory: Int
    let cpu: Double
    let disk: Int?
    let ports: String
    let primaryPort: Int
    let variables: String
    let installState: String
    let powerState: String
    let reason: String?
    let containerID: String?
    let suspended: Bool
    let deleting: Bool
    let createdAt: Date?
    let nodeID: UUID
    let nodeName: String
    let nodeAddress: String
    let nodePort: Int
    /// Whether the node was found silent for the node timeout (``NodeWatcher``), until its next heartbeat.
    let nodeReportedOffline: Bool

    /// The select list, aliased to the coding keys; `i` is the instance, `n` its node.
    static let columns = """
        i.id, i.name, i.owner_user_id, i.docker_image, i.memory, i.cpu, i.disk, i.ports, i.primary_port, i.variables, \
        i.install_state, i.power_state, i.reason, i.container_id, i.suspended, i.deleting, i.created_at, \
        n.id AS node_id, n.name AS node_name, n.address AS node_address, n.port AS node_port, n.reported_offline AS node_reported_offline
        """

    enum CodingKeys: String, CodingKey {
        case id, name, memory, cpu, disk, ports, variables, reason, suspended, deleting
        case ownerUserID = "owner_user_id"
        case dockerImage = "docker_image"
        case primaryPort = "primary_port"
        case installState = "install_state"
        case powerState = "power_state"
        case containerID = "container_id"
        case createdAt = "created_at"
        case nodeID = "node_id"
        case nodeName = "node_name"
        case nodeAddress = "node_address"
        case nodePort = "node_port"
        case nodeReportedOffline = "node_reported_offline"
    }
}

extension InstanceRow {
    /// The same row from a loaded model, for the write paths that already hold one.
    init(_ instance: Instance, node: Node) {
        id = instance.id ?? UUID()
        name = instance.name
        ownerUserID = instance.ownerUserID
        dockerImage = instance.dockerImage
        memory = instance.memory
        cpu = instance.cpu
        disk = instance.disk
        ports = instance.ports
        primaryPort = instance.primaryPort
        variables = instance.variables
        installState = instance.installState
        powerState = instance.powerState
        reason = instance.reason
        containerID = instance.containerID
        suspended = instance.suspended
        deleting = instance.deleting
        createdAt = instance.createdAt
        nodeID = node.id ?? UUID()
        nodeName = node.name
        nodeAddress = node.address
        nodePort = node.port
        nodeReportedOffline = node.reportedOffline
    }
}
