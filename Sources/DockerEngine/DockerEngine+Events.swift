import AsyncHTTPClient

extension DockerEngine {
    /// Events as they happen, from `since` (seconds since 1970) or from now. The sequence goes on until the caller stops reading.
    public func events(
        matching filter: EventFilter = EventFilter(),
        since: Int64? = nil
    ) async throws -> JSONLines<DockerEvent, HTTPClientResponse.Body.AsyncIterator> {
        var query: [(String, String)] = []
        if !filter.dockerFilters.isEmpty { query.append(filtersQuery(filter.dockerFilters)) }
        if let since { query.append(("since", String(since))) }
        let response = try await send(.GET, "/events", query: query)
        return JSONLines(bytes: response.body.makeAsyncIterator())
    }
}
