import BerthProtocol
import Synchronization

/// How far the backup being made of an instance has come, written by the thread that packs it and read by
/// the panel's progress requests.
final class BackupMeter: Sendable {
    let backup: String
    /// What the instance's files took when the backup began, as last counted.
    let total: Int64
    let packed = Atomic<Int64>(0)

    init(backup: String, total: Int64) {
        self.backup = backup
        self.total = total
    }

    var progress: BackupProgress {
        BackupProgress(bytes: packed.load(ordering: .relaxed), total: total)
    }
}
