import BerthPanel
import Hummingbird

extension PanelError {
    /// The status of a page that shows this refusal: the web UI is not bound by the seed's statuses.
    var pageStatus: HTTPResponse.Status {
        switch self {
        case .invalid, .invalidFields: .badRequest
        case .notFound: .notFound
        case .forbidden: .forbidden
        case .duplicate, .conflict, .insufficientCapacity: .conflict
        case .nodeUnavailable: .serviceUnavailable
        case .nodeFailed, .storageFailed: .badGateway
        case .tooLarge: .contentTooLarge
        case .diskFull: .init(code: 507, reasonPhrase: "Insufficient Storage")
        case .corrupt: .internalServerError
        }
    }
}
