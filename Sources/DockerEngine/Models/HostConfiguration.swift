/// The part of a container's configuration that the host enforces: limits, mounts, ports and privileges.
public struct HostConfiguration: Sendable, Codable, Equatable {
    /// Memory limit in bytes; 0 means none.
    public var memory: Int64?
    /// Memory plus swap in bytes; equal to `memory` means no swap.
    public var memorySwap: Int64?
    /// CPU limit in billionths of a core: 1.5 cores is 1_500_000_000.
    public var nanoCpus: Int64?
    /// Most processes and threads the container may have.
    public var pidsLimit: Int64?
    /// Bind mounts as `host-path:container-path[:options]`.
    public var binds: [String]?
    public var portBindings: [String: [PortBinding]]?
    public var capabilitiesToAdd: [String]?
    public var capabilitiesToDrop: [String]?
    public var securityOptions: [String]?
    public var privileged: Bool?
    public var networkMode: String?
    public var readonlyRootFilesystem: Bool?
    /// Writable in-memory mounts: path → mount options, e.g. `/tmp` → `rw,size=64m`.
    public var temporaryFilesystems: [String: String]?
    public var autoRemove: Bool?
    /// Where the container's output is kept, and how much of it.
    public var logConfiguration: LogConfiguration?

    public init(
        memory: Int64? = nil,
        memorySwap: Int64? = nil,
        nanoCpus: Int64? = nil,
        pidsLimit: Int64? = nil,
        binds: [String]? = nil,
        publishedPorts: [PublishedPort] = [],
        capabilitiesToAdd: [String]? = nil,
        capabilitiesToDrop: [String]? = nil,
        securityOptions: [String]? = nil,
        privileged: Bool? = nil,
        networkMode: String? = nil,
        readonlyRootFilesystem: Bool? = nil,
        temporaryFilesystems: [String: String]? = nil,
        autoRemove: Bool? = nil,
        logConfiguration: LogConfiguration? = nil
    ) {
        self.memory = memory
        self.memorySwap = memorySwap
        self.nanoCpus = nanoCpus
        self.pidsLimit = pidsLimit
        self.binds = binds
        self.portBindings =
            publishedPorts.isEmpty
            ? nil
            : Dictionary(
                publishedPorts.map { ($0.dockerKey, [PortBinding(hostIP: $0.hostAddress, hostPort: String($0.hostPort))]) },
                uniquingKeysWith: +
            )
        self.capabilitiesToAdd = capabilitiesToAdd
        self.capabilitiesToDrop = capabilitiesToDrop
        self.securityOptions = securityOptions
        self.privileged = privileged
        self.networkMode = networkMode
        self.readonlyRootFilesystem = readonlyRootFilesystem
        self.temporaryFilesystems = temporaryFilesystems
        self.autoRemove = autoRemove
        self.logConfiguration = logConfiguration
    }

    /// The ports as published, read back from `portBindings`.
    public var publishedPorts: [PublishedPort] {
        (portBindings ?? [:]).flatMap { key, bindings -> [PublishedPort] in
            let parts = key.split(separator: "/")
            guard let containerPort = parts.first.flatMap({ Int($0) }) else { return [] }
            let transport = parts.count > 1 ? PublishedPort.Transport(rawValue: String(parts[1])) ?? .tcp : .tcp
            return bindings.compactMap { binding in
                Int(binding.hostPort).map {
                    PublishedPort(containerPort: containerPort, hostPort: $0, hostAddress: binding.hostIP, transport: transport)
                }
            }
        }
        .sorted { ($0.hostPort, $0.transport.rawValue) < ($1.hostPort, $1.transport.rawValue) }
    }

    enum CodingKeys: String, CodingKey {
        case memory = "Memory"
        case memorySwap = "MemorySwap"
        case nanoCpus = "NanoCpus"
        case pidsLimit = "PidsLimit"
        case binds = "Binds"
        case portBindings = "PortBindings"
        case capabilitiesToAdd = "CapAdd"
        case capabilitiesToDrop = "CapDrop"
        case securityOptions = "SecurityOpt"
        case privileged = "Privileged"
        case networkMode = "NetworkMode"
        case readonlyRootFilesystem = "ReadonlyRootfs"
        case temporaryFilesystems = "Tmpfs"
        case autoRemove = "AutoRemove"
        case logConfiguration = "LogConfig"
    }
}
