/// What a daemon reports about its node: `GET /api/system`.
public struct NodeInfo: Codable, Sendable, Equatable {
    public var version: String
    public var docker: DockerStatus
    public var cpuCores: Int
    public var memoryTotalBytes: Int64
    public var memoryAvailableBytes: Int64
    public var diskTotalBytes: Int64
    public var diskAvailableBytes: Int64
    public var instances: Int
    /// The PEM certificate the daemon serves its API with; the panel pins it from the first signed heartbeat.
    public var certificate: String?
    /// How the node enforces instances' disk limits, or why it cannot (``DiskLimitSupport``).
    public var diskLimits: DiskLimitSupport?
    /// Where the node serves SFTP and the key it proves itself with, when it does.
    public var sftp: SFTPEndpoint?

    public init(
        version: String,
        docker: DockerStatus,
        cpuCores: Int,
        memoryTotalBytes: Int64,
        memoryAvailableBytes: Int64,
        diskTotalBytes: Int64,
        diskAvailableBytes: Int64,
        instances: Int,
        certificate: String? = nil,
        diskLimits: DiskLimitSupport? = nil,
        sftp: SFTPEndpoint? = nil
    ) {
        self.version = version
        self.docker = docker
        self.cpuCores = cpuCores
        self.memoryTotalBytes = memoryTotalBytes
        self.memoryAvailableBytes = memoryAvailableBytes
        self.diskTotalBytes = diskTotalBytes
        self.diskAvailableBytes = diskAvailableBytes
        self.instances = instances
        self.certificate = certificate
        self.diskLimits = diskLimits
        self.sftp = sftp
    }
}

/// A node's SFTP server: its port, and its host key's fingerprint as OpenSSH prints it
/// (`SHA256:…`), so users can check the key their client is shown on first connect.
public struct SFTPEndpoint: Codable, Sendable, Equatable {
    public var port: Int
    public var hostKeyFingerprint: String

    public init(port: Int, hostKeyFingerprint: String) {
        self.port = port
        self.hostKeyFingerprint = hostKeyFingerprint
    }
}

/// Whether the node's Docker engine answers, and if not, why.
public struct DockerStatus: Codable, Sendable, Equatable {
    public var reachable: Bool
    public var host: String
    public var version: String?
    /// What is wrong and what to do about it, when the engine does not answer.
    public var problem: String?

    public init(reachable: Bool, host: String, version: String? = nil, problem: String? = nil) {
        self.reachable = reachable
        self.host = host
        self.version = version
        self.problem = problem
    }
}
