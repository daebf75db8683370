import BerthPanel
import Foundation

/// What the backups page shows: the instance's backups, newest first, and how many more it may keep.
struct BackupList {
    let instanceID: String
    let instanceName: String
    let rows: [Row]
    let isEmpty: Bool
    /// e.g. "2 of 3 backups kept, 1.2 GiB on the node, 3 GiB in object storage".
    let allowance: String
    let canMakeMore: Bool

    struct Row {
        let id: String
        let name: String
        let state: String
        let isReady: Bool
        let isFailed: Bool
        let isCreating: Bool
        /// Percent, while being made.
        let progress: Int
        /// "on the node" or "in object storage".
        let place: String
        let failure: String?
        let size: String
        let created: String
        let createdISO: String
        let locked: Bool
        let downloadHref: String
    }

    init(instanceID: String, instanceName: String, backups: [BackupView], limit: Int) {
        self.instanceID = instanceID
        self.instanceName = instanceName
        let kept = backups.filter { $0.state != .failed }.count
        let onNode = backups.filter { $0.storage == .local }.compactMap(\.size).reduce(0, +)
        let inBucket = backups.filter { $0.storage == .s3 }.compactMap(\.size).reduce(0, +)
        allowance =
            "\(kept) of \(limit) backup(s) kept, \(ByteCount.text(onNode)) on the node"
            + (inBucket > 0 ? ", \(ByteCount.text(inBucket)) in object storage" : "")
        canMakeMore = kept < limit
        isEmpty = backups.isEmpty
        rows = backups.map { backup in
            let created = backup.createdAt ?? ""
            return Row(
                id: backup.id,
                name: backup.name,
                state: backup.state.rawValue,
                isReady: backup.state == .ready,
                isFailed: backup.state == .failed,
                isCreating: backup.state == .creating,
                progress: backup.progress ?? 0,
                place: backup.storage == .s3 ? "in object storage" : "on the node",
                failure: backup.failure,
                size: backup.size.map(ByteCount.text) ?? "–",
                created: String(created.prefix(16)).replacingOccurrences(of: "T", with: " "),
                createdISO: created,
                locked: backup.locked,
                downloadHref: "/instances/\(instanceID)/backups/\(backup.id)/download"
            )
        }
    }
}
