import BerthHTTP
import Hummingbird

/// Why a backup could not be made, found or restored.
enum BackupError: Error, Equatable, APIErrorConvertible {
    case invalidName(String)
    case missing(String)
    case exists(String)
    /// The archive's checksum is not the one recorded when it was made: damaged on disk, or replaced.
    case damaged(String)
    case busy(String)
    /// Object storage refused or failed a transfer, or could not be reached.
    case storage(String)

    var apiError: APIError {
        switch self {
        case .invalidName(let backup): APIError(.badRequest, "\(backup) is not a backup's name; backups are named by a UUID")
        case .missing(let backup): APIError(.notFound, "there is no backup \(backup) of this instance on this node")
        case .exists(let backup): APIError(.conflict, "backup \(backup) exists already")
        case .damaged(let backup):
            APIError(.conflict, "backup \(backup) is damaged: its checksum is not the one recorded when it was made, so it was not restored")
        case .busy(let message): APIError(.conflict, message)
        case .storage(let message): APIError(.badGateway, message)
        }
    }
}
