import BerthHTTP
import FluentPostgresDriver

/// A PostgreSQL server out of disk (SQLSTATE 53100, `disk_full`) says so, as SQLite's full disk does; any
/// other failure stays an internal error.
extension PSQLError: APIErrorConvertible {
    public var apiError: APIError {
        serverInfo?[.sqlState] == "53100"
            ? .databaseDiskFull : APIError(.internalServerError, "internal error")
    }
}
