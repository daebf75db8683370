import Hummingbird

import BerthHTTP

extension InstanceError: APIErrorConvertible {
    /// The one place where the supervisor's refusals become HTTP answers.
    var apiError: APIError {
        switch self {
        case .notFound(let id): APIError(.notFound, "no instance \(id) on this node")
        case .alreadyExists(let id): APIError(.conflict, "instance \(id) already exists on this node")
        case .conflict(let message): APIError(.conflict, message)
        case .invalid(let message): APIError(.badRequest, message)
        case .engine(let message): APIError(.serviceUnavailable, message)
        }
    }
}

extension APIError {
    static let invalidNodeToken = APIError(.unauthorized, "missing or invalid node token")
}


