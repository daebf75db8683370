/// The body of every error answer, on the panel and the daemon alike: `{"error": "what is wrong"}`.
public struct ErrorBody: Codable, Sendable, Equatable {
    public var error: String

    public init(error: String) {
        self.error = error
    }
}
