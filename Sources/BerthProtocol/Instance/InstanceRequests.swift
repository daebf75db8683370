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

/// `POST /api/instances/:id/reinstall`: run the install again, on the files there are or on an empty volume.
public struct ReinstallRequest: Codable, Sendable, Equatable {
    /// Whether the volume is emptied first; the files stay when false or missing.
    public var wipe: Bool?

    public init(wipe: Bool) {
        self.wipe = wipe
    }
}
