import FluentKit
import Foundation

/// An instance's move from one node to another (``InstanceTransfers``): kept after it ends, as its record.
final class Transfer: Model, @unchecked Sendable {
    static let schema = "transfers"

    @ID(key: .id) var id: UUID?
    @Parent(key: "instance_id") var instance: Instance
    @Field(key: "source_node_id") var sourceNodeID: UUID
    @Field(key: "target_node_id") var targetNodeID: UUID
    /// Copied while running, then only what changed sent after the stop; else stopped for the whole copy.
    @Field(key: "live") var live: Bool
    /// The panel process carrying it out; another finishes or rolls it back should it stop.
    @Field(key: "process") var process: String
    /// `sending`, then `done` or `failed`.
    @Field(key: "state") var state: String
    /// Why it failed, when it did.
    @OptionalField(key: "error") var error: String?
    /// The bytes that went node to node.
    @OptionalField(key: "bytes") var bytes: Int64?
    /// How long the instance was stopped for it.
    @OptionalField(key: "downtime_ms") var downtimeMilliseconds: Int?
    /// For a live transfer, the bytes of changed blocks sent after the stop.
    @OptionalField(key: "changed_bytes") var changedBytes: Int64?
    /// Whether the node it left has deleted its copy (retried until it has).
    @Field(key: "source_removed") var sourceRemoved: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "finished_at") var finishedAt: Date?

    init() {}
}
