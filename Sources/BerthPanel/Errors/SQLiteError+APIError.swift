import BerthHTTP
import FluentSQLiteDriver

/// A SQLite file another writer held for longer than the database's busy timeout (another panel command,
/// a backup tool) is a 503 the client may retry; a full disk says so; any other SQLite failure stays an
/// internal error.
extension SQLiteError: APIErrorConvertible {
    public var apiError: APIError {
        switch reason {
        case .busy, .busyTimeout, .locked:
            APIError(.serviceUnavailable, "the database is busy; try again in a moment", retryAfter: .seconds(1))
        case .full:
            .databaseDiskFull
        default:
            APIError(.internalServerError, "internal error")
        }
    }
}
