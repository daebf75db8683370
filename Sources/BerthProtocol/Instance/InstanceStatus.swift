import Foundation

/// Where an instance's installation stands.
public enum InstallState: String, Codable, Sendable, Equatable {
    case installing = "INSTALLING"
    case ready = "READY"
    case failed = "FAILED"
}

/// Whether an instance runs.
public enum PowerState: String, Codable, Sendable, Equatable {
    case offline, starting, running, stopping, crashed
}

/// What a daemon knows about one instance: the answer to `GET /api/instances/:id`.
public struct InstanceStatus: Codable, Sendable, Equatable {
    public var id: String
    public var installState: InstallState
    public var powerState: PowerState
    public var suspended: Bool
    public var containerID: String?
    /// Why the install failed, or why the instance is offline when it did not stop by request.
    public var reason: String?
    /// Exit code of the last run, when it ended.
    public var lastExitCode: Int?

    public init(
        id: String,
        installState: InstallState,
        powerState: PowerState,
        suspended: Bool,
        containerID: String? = nil,
        reason: String? = nil,
        lastExitCode: Int? = nil
    ) {
        self.id = id
        self.installState = installState
        self.powerState = powerState
        self.suspended = suspended
        self.containerID = containerID
        self.reason = reason
        self.lastExitCode = lastExitCode
    }
}

/// `POST /api/instances/:id/power`.
public enum PowerAction: String, Codable, Sendable, CaseIterable {
    case start, stop, restart, kill
}

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
