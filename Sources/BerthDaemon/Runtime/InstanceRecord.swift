import BerthProtocol

/// What the daemon keeps about an instance across restarts.
struct InstanceRecord: Codable, Sendable, Equatable {
    var specification: InstanceSpecification
    var installState: InstallState
    var reason: String?
    var containerID: String?
    /// Whether the instance should be running: restored after a daemon restart.
    var shouldRun: Bool
    var lastExitCode: Int?

    init(specification: InstanceSpecification) {
        self.specification = specification
        self.installState = .installing
        self.shouldRun = false
    }

    var id: String { specification.id }
}
