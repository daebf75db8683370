import Hummingbird

extension Request {
    /// The node token a request presents as `Authorization: Bearer <token>`, for both directions of the
    /// panel ⇄ node channel.
    public var bearerToken: String? {
        guard let header = headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        return String(header.dropFirst("Bearer ".count))
    }
}

extension APIError {
    /// The one answer to a missing or wrong node token, on both sides: it says nothing about which.
    public static let invalidNodeToken = APIError(.unauthorized, "missing or invalid node token")
}
