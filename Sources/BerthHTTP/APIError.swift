import BerthProtocol
import Foundation
import Hummingbird

/// An error answer of Berth's HTTP APIs (panel and daemon): a status and `{"error": "..."}` that says what is wrong.
public struct APIError: HTTPResponseError {
    public let status: HTTPResponse.Status
    public let message: String
    /// For a 429 or 503: when the client may try again, sent as `Retry-After` in whole seconds.
    public var retryAfter: Duration?

    public init(_ status: HTTPResponse.Status, _ message: String, retryAfter: Duration? = nil) {
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
    }

    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }
    public static func conflict(_ message: String) -> APIError { APIError(.conflict, message) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONResponse.make(ErrorBody(error: message), status: status)
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter.wholeSecondsRoundedUp) }
        return response
    }
}

extension Duration {
    /// Seconds, rounded up: a client told to wait 0 seconds would retry at once.
    public var wholeSecondsRoundedUp: Int64 {
        let (seconds, attoseconds) = components
        return max(1, attoseconds > 0 ? seconds + 1 : seconds)
    }
}
