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
    /// A ``BackupStorage``: where the archive is kept.
    @Field(key: "storage") var storage: String
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
        storage = BackupStorage.local.rawValue
        locked = false
    }

    /// Its state, where a backup still `creating` after the longest a node may take was abandoned: its
    /// panel stopped before the node answered. It then counts as failed, and may be deleted.
    func effectiveState(at now: Date = Date()) -> BackupState {
        let state = BackupState(rawValue: state) ?? .failed
        guard state == .creating, let createdAt, now.timeIntervalSince(createdAt) > Self.longestCreation else { return state }
        return .failed
    }

    /// ``DaemonClient/transferDeadline``: the panel waits no longer for a node to write a backup.
    static let longestCreation: TimeInterval = 6 * 3600
}

/// Where a backup's archive is kept: on its instance's node, or in the panel's object storage bucket
/// (`--s3-bucket`), the node's copy removed once the upload is complete.
package enum BackupStorage: String, Codable, Sendable {
    case local
    case s3
}

/// Where a backup stands.
package enum BackupState: String, Codable, Sendable {
    case creating
    case ready
    case failed
}
