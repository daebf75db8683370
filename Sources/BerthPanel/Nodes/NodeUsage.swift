import Foundation

/// What one node's instances take of it: their count, memory (MiB) and CPU (cores).
package struct NodeUsage: Decodable, Sendable {
    let nodeID: UUID
    package let instances: Int
    package let memory: Int
    package let cpu: Double
    /// MiB the node's instances may fill, of those that name a disk limit.
    package let disk: Int

    enum CodingKeys: String, CodingKey {
        case nodeID = "node_id"
        case instances, memory, cpu, disk
    }
}
