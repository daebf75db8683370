import BerthHTTP
import FluentKit
import Foundation
import Hummingbird

/// `GET /api/nodes`, `POST /api/nodes/create`, `DELETE /api/nodes/delete`.
struct NodeController: Sendable {
    let nodes: NodeStore

    func addRoutes(to group: RouterGroup<PanelRequestContext>) {
        group.get("nodes") { _, _ in
            try JSONResponse.make(try await nodes.all().map { NodeView($0) })
        }
        group.post("nodes/create") { request, _ in
            let (node, token) = try await nodes.create(try NewNode(try await RequestFields.read(request)))
            return try JSONResponse.make(
                CreatedNodeView(Message: NodeView(node), configureCommand: nodes.configureCommand(token: token)),
                status: .created
            )
        }
        group.delete("nodes/delete") { request, _ in
            let fields = try await RequestFields.read(request)
            try await nodes.delete(try fields.string("nodeId"))
            return try JSONResponse.make(["Message": "the node was deleted"], status: .created)
        }
    }
}

/// Nodes in the database.
struct NodeStore: Sendable {
    let database: PanelDatabase
    /// The panel's URL as daemons reach it, for the configuration command.
    let panelURL: String

    func all() async throws -> [Node] {
        try await Node.query(on: database.database).sort(\.$createdAt).all()
    }

    func find(_ id: String) async throws -> Node? {
        guard let uuid = UUID(uuidString: id) else { return nil }
        return try await Node.find(uuid, on: database.database)
    }

    /// A new node from checked input, and its token.
    func create(_ new: NewNode) async throws -> (Node, String) {
        try await create(name: new.name, tags: new.tags, ram: new.ram, disk: new.disk, processor: new.processor, address: new.address, port: new.port)
    }

    /// A new node and its token, which exists in the clear only in this answer and in the panel's row.
    func create(name: String, tags: String, ram: Int, disk: Int, processor: Double, address: String, port: Int, token: String = Secrets.generate()) async throws -> (Node, String) {
        let node = Node(name: name, tags: tags, ram: ram, disk: disk, processor: processor, address: address, port: port, token: token, tokenDigest: Secrets.digest(token))
        try await node.create(on: database.database)
        return (node, token)
    }

    func configureCommand(token: String) -> String {
        "berth daemon configure --panel \(panelURL) --token \(token)"
    }

    /// Refuses while instances live on the node.
    func delete(_ id: String) async throws {
        guard let node = try await find(id), let nodeID = node.id else { throw APIError.badRequest("no node with that nodeId") }
        let instances = try await Instance.query(on: database.database).filter(\.$node.$id == nodeID).count()
        guard instances == 0 else {
            throw APIError.badRequest("the node still has \(instances) instance(s); delete them first")
        }
        try await node.delete(on: database.database)
    }

    /// A host name or an IP address, with nothing that could change a URL built from it.
    static func isValidAddress(_ address: String) -> Bool {
        guard (1...253).contains(address.count) else { return false }
        return address.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-:".contains($0)) }
    }
}

/// A node to create, read from the API's JSON or the admin form; each problem names its field.
struct NewNode {
    let name: String
    let tags: String
    let ram: Int
    let disk: Int
    let processor: Double
    let address: String
    let port: Int

    init(_ fields: RequestFields) throws {
        name = try fields.string("name")
        guard name.count <= 100 else { throw APIError.badRequest("name must be at most 100 characters") }
        address = try fields.string("address")
        guard NodeStore.isValidAddress(address) else {
            throw APIError.badRequest("address must be a host name or an IP address")
        }
        guard let port = Int(try fields.string("port")), (1...65535).contains(port) else { throw APIError.badRequest("port must be 1-65535") }
        self.port = port
        tags = try fields.optionalString("tags") ?? ""
        ram = try LooseQuantities.mebibytes(fields.value("ram") ?? .null, field: "ram")
        disk = try LooseQuantities.mebibytes(fields.value("disk") ?? .null, field: "disk")
        processor = try LooseQuantities.cores(fields.value("processor") ?? .null, field: "processor")
    }
}
