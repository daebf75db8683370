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
