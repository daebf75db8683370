extension Result where Failure == any Error {
    /// The outcome of `body`, so cleanup can run whether it threw or not.
    public init(asyncCatching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
