import FluentKit
import Foundation

/// A backup of an instance's volume: the panel's record of an archive its node keeps. Made as `creating`,
/// then `ready` with the archive's size and checksum, or `failed` with the reason. Rows go with their instance.
final class Backup: Model, @unchecked Sendable {
    static let schema = "backups"

    @ID(key: .id) var id: UUID?
    @Parent(key: "instance_id") var instance: Instance
    @Field(key: "name") var name: String
    /// A ``BackupState``.
    @Field(key: "state") var state: String
    @OptionalField(key: "size") var size: Int64?
    /// The archive's SHA-256, lowercase hex: a restore goes ahead only when the node's archive still has it.
    @OptionalField(key: "sha256") var sha256: String?
    @OptionalField(key: "failure") var failure: String?
    /// A locked backup cannot be deleted.
    @Field(key: "locked") var locked: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "completed_at") var completedAt: Date?

    init() {}

    init(id: UUID, instanceID: UUID, name: String) {
        self.id = id
        self.$instance.id = instanceID
        self.name = name
        state = BackupState.creating.rawValue
        locked = false
    }
}

/// Where a backup stands.
package enum BackupState: String, Codable, Sendable {
    case creating
    case ready
    case failed
}
