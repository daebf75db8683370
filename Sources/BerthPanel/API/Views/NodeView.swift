import Foundation

/// A node as Skyport's API shows one, with its status from heartbeats. Never its token.
package struct NodeView: Codable, Sendable, Equatable {
    let id: String
    let name: String
    let tags: String
    let ram: Int
    let disk: Int
    /// The seed's free text, as given.
    let processor: String
    /// What the node's daemon reports; nil until its first heartbeat.
    let cores: Double?
    let address: String
    let port: Int
    /// Ports handed out to deploys that name none, e.g. `25565-25600, 27015`.
    let portRanges: String
    let memoryOverallocation: Int
    let cpuOverallocation: Int
    let maintenance: Bool
    /// The disk limit (MiB) of deploys that name none; absent for none.
    let defaultDisk: Int?
    /// `online` when a heartbeat arrived recently, else `offline`.
    let status: String
    /// ISO 8601 time of the last heartbeat.
    let lastSeen: String?
    let version: String?

    package init(_ node: Node, liveness: NodeLiveness, now: Date = Date()) {
        id = node.id?.uuidString.lowercased() ?? ""
        name = node.name
        tags = node.tags
        ram = node.ram
        disk = node.disk
        processor = node.processor
        cores = node.cores
        address = node.address
        port = node.port
        let policy = node.allocationPolicy
        portRanges = policy.portRanges.description
        memoryOverallocation = policy.memoryOverallocation
        cpuOverallocation = policy.cpuOverallocation
        maintenance = policy.maintenance
        defaultDisk = policy.defaultDiskMiB
        let seen = node.lastSeenAt
        status = liveness.isOnline(node, at: now) ? "online" : "offline"
        lastSeen = seen.map { ISO8601DateFormatter().string(from: $0) }
        version = node.daemonVersion
    }
}

/// What `POST /api/nodes/create` answers: the node and, this once, the command that configures its daemon.
struct CreatedNodeView: Codable, Sendable {
    /// The node, under Skyport's name for it.
    let node: NodeView
    let configureCommand: String

    enum CodingKeys: String, CodingKey {
        case node = "Message"
        case configureCommand
    }
}
