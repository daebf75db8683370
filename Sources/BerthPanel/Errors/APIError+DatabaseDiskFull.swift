import BerthHTTP

extension APIError {
    /// The database's disk is full. A 500, as the seed's routes document for the server's own failures;
    /// the transaction was rolled back, so nothing is half-written and the request can simply be sent again.
    static var databaseDiskFull: APIError {
        APIError(.internalServerError, "the panel's disk is full, so nothing was written; free space where its database lives and try again")
    }
}
