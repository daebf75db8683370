import Hummingbird

extension Request {
    /// The secret a request presents as `Authorization: Bearer <token>`: the panel's to the daemon, and a
    /// console token on the daemon's console socket.
    public var bearerToken: String? {
        guard let header = headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        return String(header.dropFirst("Bearer ".count))
    }
}

extension APIError {
    /// The one answer to a missing or wrong node token, on both sides: it says nothing about which.
    public static let invalidNodeToken = APIError(.unauthorized, "missing or invalid node token")

    /// The one answer to a callback that is not a node's signed, fresh and first: it says nothing about which.
    public static let invalidCallbackSignature = APIError(.unauthorized, "missing, invalid, stale or replayed callback signature")
}
