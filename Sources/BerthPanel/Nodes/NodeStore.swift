import BerthHTTP
import FluentKit
import Foundation
import SQLKit

/// Nodes in the database.
package struct NodeStore: Sendable {
    let database: PanelDatabase
    /// When a node counts as online.
    package let liveness: NodeLiveness
    /// The panel's URL as daemons reach it, for the configuration command.
    let panelURL: String
    /// Whether nodes may be created at loopback addresses (a node on the panel's own machine).
    let allowsLoopback: Bool
    /// Seals the nodes' secrets in their rows.
    let box: SecretBox
    /// The first host port instances may publish: 1024 unless the panel allows low ports.
    package let lowestHostPort: Int

    package func all() async throws -> [Node] {
        try await Node.query(on: database.db()).sort(\.$createdAt).all()
    }

    /// What each node's instances take of it, and the backups kept on its disk; summed in the database.
    /// The casts give both databases' SUM one type (PostgreSQL's SUM of a bigint is a numeric).
    package func usage() async throws -> [UUID: NodeUsage] {
        let query: SQLQueryString = """
            SELECT i.node_id, COUNT(*) AS instances, CAST(COALESCE(SUM(i.memory), 0) AS BIGINT) AS memory, \
            CAST(COALESCE(SUM(i.cpu), 0) AS DOUBLE PRECISION) AS cpu, CAST(COALESCE(SUM(i.disk), 0) AS BIGINT) AS disk, \
            CAST(COALESCE(SUM(b.bytes), 0) AS BIGINT) AS backups \
            FROM instances i LEFT JOIN (\
            SELECT instance_id, SUM(size) AS bytes FROM backups WHERE storage = 'local' AND state = 'ready' GROUP BY instance_id\
            ) b ON b.instance_id = i.id GROUP BY i.node_id
            """
        return try await database.sql().raw(query).all(decoding: NodeUsage.self)
            .reduce(into: [:]) { $0[$1.nodeID] = $1 }
    }

    /// What a deploy may still take of `node`: memory and CPU within its overallocation (nil is no limit;
    /// CPU is nil too before the node reported its cores), disk by what instances name and the backups kept
    /// on it take, and the first free ports of its ranges.
    package func room(of node: Node, using used: NodeUsage?) async throws -> NodeRoom {
        let policy = node.allocationPolicy
        let memory = NodeAllocationPolicy.promisable(Double(node.ram), overallocation: policy.memoryOverallocation)
            .map { max(0, Int($0) - (used?.memory ?? 0)) }
        let cpu = node.cores.flatMap { NodeAllocationPolicy.promisable($0, overallocation: policy.cpuOverallocation) }
            .map { max(0, $0 - (used?.cpu ?? 0)) }
        let taken = Set(try await Allocation.query(on: database.db()).filter(\.$node.$id == node.requireID()).all().map(\.port))
        return NodeRoom(
            memory: memory,
            cpu: cpu,
            disk: max(0, node.disk - (used?.claimedDisk ?? 0)),
            freePorts: policy.portRanges.free(upTo: NodeRoom.portsOffered, excluding: taken)
        )
    }

    package func find(_ id: String) async throws -> Node? {
        guard let uuid = UUID(uuidString: id) else { return nil }
        return try await Node.find(uuid, on: database.db())
    }

    /// A node to create from the API's JSON or the admin form, checked against this panel's settings;
    /// one refusal names every wrong field.
    package func newNode(from fields: RequestFields) throws -> NewNode {
        try NewNode(fields, lowestPort: lowestHostPort, allowingLoopback: allowsLoopback)
    }

    /// A new node from checked input (``newNode(from:)``), and its credentials; `berth serve`'s own node is
    /// registered by the panel itself.
    package func create(_ new: NewNode) async throws -> (Node, NodeCredentials) {
        try await create(
            name: new.name,
            tags: new.tags,
            ram: new.ram,
            disk: new.disk,
            processor: new.processor,
            address: new.address,
            port: new.port,
            policy: new.policy
        )
    }

    /// A new node and its credentials, which exist in the clear only in this answer (the row holds them sealed).
    func create(
        name: String,
        tags: String,
        ram: Int,
        disk: Int,
        processor: String,
        address: String,
        port: Int,
        policy: NodeAllocationPolicy = .standard,
        credentials: NodeCredentials = .generate()
    ) async throws -> (Node, NodeCredentials) {
        let node = try Node(
            name: name,
            tags: tags,
            ram: ram,
            disk: disk,
            processor: processor,
            address: address,
            port: port,
            policy: policy,
            credentials: credentials,
            sealedBy: box
        )
        try await node.create(on: database.db())
        return (node, credentials)
    }

    /// The command that configures the node's daemon. The credentials go through standard input, so they
    /// never show in `ps` or the shell's history on the node.
    package func configureCommand(_ credentials: NodeCredentials) -> String {
        "echo \(credentials.token) | berth daemon configure --panel \(panelURL) --token-file -"
    }

    /// Applies the changes `fields` holds (any of the create fields, and the allocation policy); each
    /// problem names its field and changes nothing. A node address is checked as at create.
    package func update(_ id: String, with fields: RequestFields) async throws -> Node {
        guard let node = try await find(id) else { throw PanelError.notFound("no node with that id") }
        let known: Set<String> = [
            "name", "tags", "ram", "disk", "processor", "address", "port", "portRanges", "memoryOverallocation", "cpuOverallocation", "maintenance",
            "defaultDisk",
        ]
        if let unknown = fields.firstUnknown(among: known) {
            throw PanelError.invalid("\(unknown) is not a node field; a node has \(known.sorted().joined(separator: ", "))")
        }
        if fields.has("name") { node.name = try NewNode.name(fields) }
        if fields.has("tags") { node.tags = try fields.optionalString("tags") ?? "" }
        if let ram = fields.value("ram") { node.ram = try LooseQuantities.mebibytes(ram, field: "ram") }
        if let disk = fields.value("disk") { node.disk = try LooseQuantities.mebibytes(disk, field: "disk") }
        if fields.has("processor") { node.processor = try NewNode.processor(fields) }
        if fields.has("address") {
            node.address = try NewNode.address(fields, allowingLoopback: allowsLoopback)
        }
        if fields.has("port") { node.port = try NewNode.port(fields) }
        node.allocationPolicy = try node.allocationPolicy.applying(fields, lowestPort: lowestHostPort)
        try await node.save(on: database.db())
        return node
    }

    /// Refuses while instances live on the node.
    package func delete(_ id: String) async throws {
        guard let node = try await find(id), let nodeID = node.id else { throw PanelError.notFound("no node with that nodeId") }
        let instances = try await Instance.query(on: database.db()).filter(\.$node.$id == nodeID).count()
        guard instances == 0 else {
            throw PanelError.conflict("the node still has \(instances) instance(s); delete them first")
        }
        try await node.delete(on: database.db())
    }

    /// A host name or an IP address, with nothing that could change a URL built from it.
    static func isValidAddress(_ address: String) -> Bool {
        guard (1...253).contains(address.count) else { return false }
        return address.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-:".contains($0)) }
    }
}
