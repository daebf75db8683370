/// The bodies the panel sends to change one instance on its node (see ``DaemonRoutes``).

/// `POST /api/instances/:id/power`.
public enum PowerAction: String, Codable, Sendable, CaseIterable {
    case start, stop, restart, kill
}

/// The body of `POST /api/instances/:id/power`.
public struct PowerRequest: Codable, Sendable, Equatable {
    public var action: PowerAction

    public init(action: PowerAction) {
        self.action = action
    }
}

/// `POST /api/instances/:id/command`: a line for the instance's console.
public struct CommandRequest: Codable, Sendable, Equatable {
    public var command: String

    public init(command: String) {
        self.command = command
    }
}

/// `POST /api/instances/:id/suspension`.
public struct SuspensionRequest: Codable, Sendable, Equatable {
    public var suspended: Bool

    public init(suspended: Bool) {
        self.suspended = suspended
    }
}
