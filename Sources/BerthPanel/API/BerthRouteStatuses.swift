import BerthHTTP

/// Berth's own routes (`/api/v1`) answer with the status that fits, where the seed's answer 400 for most
/// refusals: 404 for what does not exist, 409 for a clash with the state of what the request acts on.
func withBerthStatuses<Result>(_ body: () async throws -> Result) async throws -> Result {
    do {
        return try await body()
    } catch PanelError.notFound(let message) {
        throw APIError(.notFound, message)
    } catch PanelError.conflict(let message) {
        throw APIError(.conflict, message)
    } catch PanelError.storageFailed(let message) {
        throw APIError(.badGateway, message)
    }
}
