import BerthProtocol
import Foundation
import Hummingbird

/// An error answer of Berth's HTTP APIs (panel and daemon): a status and `{"error": "..."}` that says what is wrong.
public struct APIError: HTTPResponseError {
    public let status: HTTPResponse.Status
    public let message: String
    /// Header fields the answer carries besides the JSON body: `Retry-After`, `Allow`.
    public var headers: HTTPFields

    /// `retryAfter`, for a 429 or 503, says when the client may try again (`Retry-After`, whole seconds).
    public init(_ status: HTTPResponse.Status, _ message: String, retryAfter: Duration? = nil) {
        self.status = status
        self.message = message
        headers = [:]
        if let retryAfter { headers[.retryAfter] = String(retryAfter.wholeSecondsRoundedUp) }
    }

    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }
    public static func conflict(_ message: String) -> APIError { APIError(.conflict, message) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONResponse.make(ErrorBody(error: message), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }
}

extension Duration {
    /// The duration in seconds, fractions included.
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Seconds, rounded up: a client told to wait 0 seconds would retry at once.
    public var wholeSecondsRoundedUp: Int64 {
        let (seconds, attoseconds) = components
        return max(1, attoseconds > 0 ? seconds + 1 : seconds)
    }
}
