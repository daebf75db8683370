import BerthProtocol

/// What the daemon keeps about an instance across restarts: its specification, its container, and the
/// saved part of its lifecycle.
struct InstanceRecord: Sendable, Equatable {
    var specification: InstanceSpecification
    var containerID: String?
    var lastExitCode: Int?
    var lifecycle: InstanceLifecycle
    /// The user and group id the instance runs as and its files belong to (``DaemonConfiguration/instanceIDs``).
    var hostID: UInt32
    /// The specification changed since the container was made: the next start makes it anew.
    var containerOutdated = false

    init(specification: InstanceSpecification, hostID: UInt32) {
        self.specification = specification
        self.lifecycle = InstanceLifecycle(suspended: specification.suspended)
        self.hostID = hostID
    }

    /// What instances ran as before each had an id of its own; a record saved then keeps it.
    static let sharedLegacyID: UInt32 = 1000

    var id: String { specification.id }
}

/// The state file's shape, unchanged since the lifecycle had fields of the record's own: a daemon
/// upgraded in place reads what the last one wrote.
extension InstanceRecord: Codable {
    private enum CodingKeys: String, CodingKey {
        case specification, installState, reason, containerID, shouldRun, lastExitCode, hostID, deleting, containerOutdated
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        specification = try container.decode(InstanceSpecification.self, forKey: .specification)
        containerID = try container.decodeIfPresent(String.self, forKey: .containerID)
        lastExitCode = try container.decodeIfPresent(Int.self, forKey: .lastExitCode)
        hostID = try container.decodeIfPresent(UInt32.self, forKey: .hostID) ?? Self.sharedLegacyID
        containerOutdated = try container.decodeIfPresent(Bool.self, forKey: .containerOutdated) ?? false
        lifecycle = InstanceLifecycle(
            restoring: try container.decode(InstallState.self, forKey: .installState),
            installFailure: try container.decodeIfPresent(String.self, forKey: .reason),
            shouldRun: try container.decode(Bool.self, forKey: .shouldRun),
            suspended: specification.suspended
        )
        // A deletion that began and did not get to save its end is finished by the next daemon, never undone.
        if try container.decodeIfPresent(Bool.self, forKey: .deleting) == true { lifecycle.activity = .deleting }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        // `specification.suspended` is kept equal to `lifecycle.suspended` by the one place that changes it.
        try container.encode(specification, forKey: .specification)
        try container.encode(lifecycle.install, forKey: .installState)
        try container.encodeIfPresent(lifecycle.installFailure, forKey: .reason)
        try container.encodeIfPresent(containerID, forKey: .containerID)
        try container.encode(lifecycle.shouldRun, forKey: .shouldRun)
        try container.encodeIfPresent(lastExitCode, forKey: .lastExitCode)
        try container.encode(hostID, forKey: .hostID)
        if lifecycle.activity == .deleting { try container.encode(true, forKey: .deleting) }
        if containerOutdated { try container.encode(true, forKey: .containerOutdated) }
    }
}

extension InstanceRecord {
    /// Whether the state file would hold the same for both: only then may a save be skipped.
    func savesSame(as other: InstanceRecord) -> Bool {
        specification == other.specification && containerID == other.containerID && hostID == other.hostID
            && lastExitCode == other.lastExitCode && containerOutdated == other.containerOutdated && lifecycle.install == other.lifecycle.install
            && lifecycle.installFailure == other.lifecycle.installFailure
            && lifecycle.shouldRun == other.lifecycle.shouldRun
            && (lifecycle.activity == .deleting) == (other.lifecycle.activity == .deleting)
    }
}
