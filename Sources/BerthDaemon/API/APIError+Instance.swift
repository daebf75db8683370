import BerthHTTP
import Hummingbird

extension InstanceError: APIErrorConvertible {
    /// The one place where the supervisor's refusals become HTTP answers.
    var apiError: APIError {
        switch self {
        case .notFound: APIError(.notFound, message)
        case .alreadyExists, .conflict: APIError(.conflict, message)
        case .invalid: APIError(.badRequest, message)
        case .forbidden: APIError(.forbidden, message)
        case .unavailable, .engine: APIError(.serviceUnavailable, message)
        case .failed: APIError(.internalServerError, message)
        }
    }
}
