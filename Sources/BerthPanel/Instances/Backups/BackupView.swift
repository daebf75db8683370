import Foundation

/// A backup as the API and the web pages show it.
package struct BackupView: Codable, Sendable, Equatable {
    package let id: String
    package let name: String
    package let state: BackupState
    /// The archive's bytes, once it is made.
    package let size: Int64?
    package let sha256: String?
    package let failure: String?
    package let locked: Bool
    /// Where the archive is kept.
    package let storage: BackupStorage
    /// How far a backup being made has come, in percent, as its node says.
    package var progress: Int?
    /// ISO 8601, as every time the API shows.
    package let createdAt: String?
    package let completedAt: String?

    init(_ backup: Backup) {
        id = backup.id?.uuidString.lowercased() ?? ""
        name = backup.name
        state = backup.effectiveState()
        size = backup.size
        sha256 = backup.sha256
        failure = state == .failed && backup.failure == nil ? "the panel stopped before the node finished it" : backup.failure
        locked = backup.locked
        storage = BackupStorage(rawValue: backup.storage) ?? .local
        createdAt = backup.createdAt?.formatted(.iso8601)
        completedAt = backup.completedAt?.formatted(.iso8601)
    }
}
