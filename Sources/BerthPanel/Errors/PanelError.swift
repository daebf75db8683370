/// Why the panel's core refused or failed a request. Stores and input parsers throw it; `/api` maps it to
/// the seed's statuses in one place (`API/APIError+Panel.swift`), the web UI to a message on the page.
public enum PanelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The request is wrong: a field is missing, malformed or out of range. The message names the field.
    case invalid(String)
    /// Several fields are wrong; each problem names its field. An answer says them all at once.
    case invalidFields([FieldProblem])
    /// Something the request names does not exist.
    case notFound(String)
    /// What the request creates exists already (a user with that name or email).
    case duplicate(String)
    /// The request clashes with the state of what it acts on: a taken port, an instance being deleted, a
    /// node still in use.
    case conflict(String)
    /// The caller may not do this to what the request names (a subuser without the permission).
    case forbidden(String)
    /// The node has no room for what was asked.
    case insufficientCapacity(String)
    /// The node is offline or cannot be reached.
    case nodeUnavailable(String)
    /// The node answered, and refused or failed.
    case nodeFailed(String)
    /// The object storage backups are kept in refused or failed, or could not be reached.
    case storageFailed(String)
    /// The request's body is larger than the panel reads.
    case tooLarge(String)
    /// The instance's disk (its limit, or the node's) has no room for what was written.
    case diskFull(String)
    /// Stored data the panel cannot read; an operator must look.
    case corrupt(String)

    public var description: String { message }

    /// What the user reads.
    public var message: String {
        switch self {
        case .invalid(let message), .notFound(let message), .duplicate(let message), .conflict(let message), .forbidden(let message),
            .insufficientCapacity(let message),
            .nodeUnavailable(let message), .nodeFailed(let message), .storageFailed(let message), .tooLarge(let message), .diskFull(let message),
            .corrupt(let message):
            message
        case .invalidFields(let problems):
            problems.map(\.message).joined(separator: "; ")
        }
    }
}
