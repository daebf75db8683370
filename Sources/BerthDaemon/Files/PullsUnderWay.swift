import BerthHTTP

/// How many pulls each instance has under way, kept to a few: each holds a connection and a file open
/// for as long as the far server takes.
actor PullsUnderWay {
    static let perInstance = 3

    private var counts: [String: Int] = [:]

    /// Runs `work` as one of `id`'s pulls, or refuses when it has ``perInstance`` under way already.
    func admitting(_ id: String, _ work: @Sendable () async throws -> Void) async throws {
        guard counts[id, default: 0] < Self.perInstance else {
            throw APIError(.conflict, "\(Self.perInstance) downloads are already under way for this instance; wait for one to finish")
        }
        counts[id, default: 0] += 1
        defer {
            let left = counts[id, default: 1] - 1
            counts[id] = left > 0 ? left : nil
        }
        try await work()
    }
}
