import Foundation

/// A transfer as `/api/v1/instances/{id}/transfers` shows it.
package struct TransferView: Codable, Sendable, Equatable {
    package let id: String
    let instance: String
    /// The node the instance leaves, and the one it moves to.
    package let from: String
    package let to: String
    /// `live` (copied while running, then what changed) or `offline` (stopped for the whole copy).
    let mode: String
    /// `sending`, `done` or `failed`.
    package let state: String
    package let error: String?
    /// The bytes that went node to node, once done.
    let bytes: Int64?
    /// How long the instance was stopped for the move, once done.
    let downtimeMilliseconds: Int?
    /// For a live transfer, the bytes of changed blocks sent after the stop.
    let changedBytes: Int64?
    /// Whether the node it left has deleted its copy.
    let sourceRemoved: Bool
    let createdAt: String?
    let finishedAt: String?

    init(_ transfer: Transfer) {
        id = transfer.id?.uuidString.lowercased() ?? ""
        instance = transfer.$instance.id.uuidString.lowercased()
        from = transfer.sourceNodeID.uuidString.lowercased()
        to = transfer.targetNodeID.uuidString.lowercased()
        mode = transfer.live ? "live" : "offline"
        state = transfer.state
        error = transfer.error
        bytes = transfer.bytes
        downtimeMilliseconds = transfer.downtimeMilliseconds
        changedBytes = transfer.changedBytes
        sourceRemoved = transfer.sourceRemoved
        createdAt = transfer.createdAt.map { $0.formatted(.iso8601) }
        finishedAt = transfer.finishedAt.map { $0.formatted(.iso8601) }
    }
}
