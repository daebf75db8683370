import Foundation

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
