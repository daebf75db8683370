/// Why the supervisor refused a request; the API maps each case to its status in one place.
enum InstanceError: Error, Equatable {
    case notFound(id: String)
    case alreadyExists(id: String)
    /// The request does not fit the instance's state, e.g. starting a suspended one.
    case conflict(String)
    case invalid(String)
    /// Docker failed to do what was asked; the message says what it reported.
    case engine(String)
}
