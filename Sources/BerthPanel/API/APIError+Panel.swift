import BerthHTTP
import Hummingbird

extension PanelError: APIErrorConvertible {
    /// The one place where the panel's refusals become `/api` answers. The seed (Skyport's API) answers
    /// 400 for most refusals, an unknown id and a full node included, and 500 when a node fails; a client
    /// written for it tells them apart by the message.
    public var apiError: APIError {
        switch self {
        case .invalid, .invalidFields, .notFound, .conflict, .insufficientCapacity: APIError(.badRequest, message)
        case .nodeUnavailable: APIError(.serviceUnavailable, message)
        case .duplicate: APIError(.conflict, message)
        case .forbidden: APIError(.forbidden, message)
        case .tooLarge: APIError(.contentTooLarge, message)
        case .diskFull: APIError(.init(code: 507, reasonPhrase: "Insufficient Storage"), message)
        case .nodeFailed, .storageFailed, .corrupt: APIError(.internalServerError, message)
        }
    }
}
