import Foundation

/// What one node's instances take of it: their count, memory (MiB) and CPU (cores).
package struct NodeUsage: Decodable, Sendable {
    let nodeID: UUID
    package let instances: Int
    package let memory: Int
    package let cpu: Double
    /// MiB the node's instances may fill, of those that name a disk limit.
    package let disk: Int
    /// Bytes of the backups kept on the node's disk (beside the instances' files, outside their limits).
    package let backups: Int64

    /// MiB of the node's disk claimed: the instances' limits and the backups kept on it.
    package var claimedDisk: Int { disk + Int((backups + (1 << 20) - 1) >> 20) }

    enum CodingKeys: String, CodingKey {
        case nodeID = "node_id"
        case instances, memory, cpu, disk, backups
    }
}
