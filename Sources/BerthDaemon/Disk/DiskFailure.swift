/// Why a disk limit could not be given or changed.
enum DiskFailure: Error, CustomStringConvertible {
    /// The node has no room for what was asked.
    case noRoom(String)
    /// The instance's files do not fit in the limit.
    case tooSmall(String)
    case failed(String)

    static func filesTooLarge(for limitBytes: Int64) -> DiskFailure {
        .tooSmall("the instance's files take more room than \(limitBytes >> 20) MiB; delete some first")
    }

    var description: String {
        switch self {
        case .noRoom(let message), .tooSmall(let message), .failed(let message): message
        }
    }
}
