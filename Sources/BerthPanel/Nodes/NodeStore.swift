import BerthHTTP
import FluentKit
import Foundation
import SQLKit

/// Nodes in the database.
package struct NodeStore: Sendable {
    let database: PanelDatabase
    /// The panel's URL as daemons reach it, for the configuration command.
    let panelURL: String
    /// Whether nodes may be created at loopback addresses (a node on the panel's own machine).
    let allowsLoopback: Bool

    package func all() async throws -> [Node] {
        try await Node.query(on: database.db()).sort(\.$createdAt).all()
    }

    /// What each node's instances take of it; summed in the database. The casts give both databases'
    /// SUM one type (PostgreSQL's SUM of a bigint is a numeric).
    package func usage() async throws -> [UUID: NodeUsage] {
        let query: SQLQueryString = """
            SELECT node_id, COUNT(*) AS instances, CAST(COALESCE(SUM(memory), 0) AS BIGINT) AS memory, \
            CAST(COALESCE(SUM(cpu), 0) AS DOUBLE PRECISION) AS cpu FROM instances GROUP BY node_id
            """
        return try await database.sql().raw(query).all(decoding: NodeUsage.self)
            .reduce(into: [:]) { $0[$1.nodeID] = $1 }
    }

    package func find(_ id: String) async throws -> Node? {
        guard let uuid = UUID(uuidString: id) else { return nil }
        return try await Node.find(uuid, on: database.db())
    }

    /// A new node from checked input, and its credentials. Unspecified and link-local addresses are refused, and
    /// loopback unless ``allowsLoopback``; `berth serve`'s own node is registered by the panel itself.
    package func create(_ new: NewNode) async throws -> (Node, NodeCredentials) {
        if let problem = NodeAddress.problem(with: new.address, allowingLoopback: allowsLoopback) {
            throw PanelError.invalid(problem)
        }
        return try await create(
            name: new.name,
            tags: new.tags,
            ram: new.ram,
            disk: new.disk,
            processor: new.processor,
            address: new.address,
            port: new.port
        )
    }

    /// A new node and its credentials, which exist in the clear only in this answer and in the panel's row.
    func create(
        name: String,
        tags: String,
        ram: Int,
        disk: Int,
        processor: Double,
        address: String,
        port: Int,
        credentials: NodeCredentials = .generate()
    ) async throws -> (Node, NodeCredentials) {
        let node = Node(
            name: name,
            tags: tags,
            ram: ram,
            disk: disk,
            processor: processor,
            address: address,
            port: port,
            credentials: credentials
        )
        try await node.create(on: database.db())
        return (node, credentials)
    }

    /// The command that configures the node's daemon. The credentials go through standard input, so they
    /// never show in `ps` or the shell's history on the node.
    package func configureCommand(_ credentials: NodeCredentials) -> String {
        "echo \(credentials.token) | berth daemon configure --panel \(panelURL) --token-file -"
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
