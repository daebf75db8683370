import BerthProtocol
import ConfinedFiles
import Foundation

extension VolumeEntry {
    init(_ entry: FileEntry) {
        self.init(
            name: entry.name,
            kind: Kind(rawValue: entry.kind.rawValue) ?? .other,
            size: entry.size,
            mode: String(entry.mode, radix: 8),
            modified: entry.modified.formatted(.iso8601),
            linkTarget: entry.linkTarget,
            linkState: entry.linkState.flatMap { LinkState(rawValue: $0.rawValue) }
        )
    }
}
