/// Why the supervisor refused a request; the API maps each case to its status in one place.
enum InstanceError: Error, Equatable {
    case notFound(id: String)
    case alreadyExists(id: String)
    /// The request does not fit the instance's state, e.g. starting a suspended one.
    case conflict(String)
    case invalid(String)
    /// The request's credentials do not allow it (a transfer's token that is wrong or used).
    case forbidden(String)
    /// The instance cannot be acted on yet (its state is being established); the same request works later.
    case unavailable(String)
    /// Docker failed to do what was asked; the message says what it reported.
    case engine(String)
    /// Something on the node other than Docker failed: its volume, files, or the daemon's own state file.
    case failed(String)

    /// The message a person reads, for errors of any kind that end up as a reason.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as InstanceError: error.message
        case let error as CustomStringConvertible: error.description
        default: String(describing: error)
        }
    }

    var message: String {
        switch self {
        case .notFound(let id): "no instance \(id) on this node"
        case .alreadyExists(let id): "instance \(id) already exists on this node"
        case .conflict(let message), .invalid(let message), .forbidden(let message), .unavailable(let message), .engine(let message),
            .failed(let message):
            message
        }
    }
}
