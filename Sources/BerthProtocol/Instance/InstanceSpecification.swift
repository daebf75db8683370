/// Everything a daemon needs to run an instance: what the panel sends to `POST /api/instances`.
public struct InstanceSpecification: Codable, Sendable, Equatable {
    /// The panel's id for the instance; also names its container and volume.
    public var id: String
    public var name: String
    public var image: RuntimeImage
    public var limits: ResourceLimits
    /// Published on the node for both TCP and UDP, and nothing else.
    public var ports: [PortMapping]
    /// The host port of the main service; the first port when nil.
    public var primaryPort: Int?
    /// The image's variables as the user set them; they reach the container as environment variables.
    public var variables: [String: String]
    public var suspended: Bool
    /// Whether the daemon starts the instance as soon as its install succeeds (nil, from an older panel: no).
    public var startsWhenInstalled: Bool?
    /// Counts the panel's changes of the settings: a specification older than the one the node has (two
    /// changes whose requests crossed) is not taken.
    public var revision: Int?

    public init(
        id: String,
        name: String,
        image: RuntimeImage,
        limits: ResourceLimits,
        ports: [PortMapping],
        primaryPort: Int? = nil,
        variables: [String: String] = [:],
        suspended: Bool = false,
        startsWhenInstalled: Bool? = nil,
        revision: Int? = nil
    ) {
        self.id = id
        self.name = name
        self.image = image
        self.limits = limits
        self.ports = ports
        self.primaryPort = primaryPort
        self.variables = variables
        self.suspended = suspended
        self.startsWhenInstalled = startsWhenInstalled
        self.revision = revision
    }

    /// The mapping of the main service, if the instance has any port.
    public var primaryMapping: PortMapping? {
        ports.first { $0.hostPort == primaryPort } ?? ports.first
    }

    /// What is wrong with the specification, or nil when a daemon can run it.
    public var problem: String? {
        if !InstanceIdentifier.isValid(id) {
            return "id must be 1 to 64 letters, digits, '-' or '_', starting with a letter or digit"
        }
        if name.isEmpty || name.count > 200 { return "name must be 1 to 200 characters" }
        if let problem = image.problem { return problem }
        if let problem = limits.problem { return problem }
        if let bad = ports.first(where: { !(1...65535).contains($0.hostPort) || !(1...65535).contains($0.containerPort) }) {
            return "port \(bad.containerPort):\(bad.hostPort) is outside 1-65535"
        }
        if Set(ports.map(\.hostPort)).count != ports.count { return "a host port appears twice in ports" }
        if let primaryPort, !ports.contains(where: { $0.hostPort == primaryPort }) {
            return "primaryPort \(primaryPort) is not one of the instance's ports"
        }
        if let name = variables.keys.first(where: { !EnvironmentName.isValid($0) }) {
            return "variable name \(name) is not a valid environment variable name"
        }
        if let name = variables.keys.sorted().first(where: { EnvironmentName.changesHowProgramsRun($0) && image.environment[$0] == nil }) {
            return "variable \(name) changes how programs load or run; only an image that declares it lets users set it"
        }
        if let name = variables.first(where: { $0.value.unicodeScalars.contains("\u{0}") })?.key {
            return "variable \(name) contains a NUL character"
        }
        return nil
    }
}

/// A container port published on a host port.
public struct PortMapping: Codable, Sendable, Hashable {
    public var hostPort: Int
    public var containerPort: Int

    public init(hostPort: Int, containerPort: Int) {
        self.hostPort = hostPort
        self.containerPort = containerPort
    }
}

/// How much of the node an instance may use.
public struct ResourceLimits: Codable, Sendable, Equatable {
    public var memoryMiB: Int
    /// Cores, fractions allowed: 1.5 is one and a half cores.
    public var cpuCores: Double
    /// Most processes and threads at once.
    public var processes: Int
    /// Room for the instance's files, enforced by the node's kernel as it writes; nil for none beyond the
    /// node's own disk.
    public var diskMiB: Int?

    /// The least memory Docker gives a container ("Minimum memory limit allowed is 6MB").
    public static let smallestMemoryMiB = 6

    /// The smallest share of a core Docker can give a container.
    public static let smallestCPU = 0.01

    /// What an instance may run when nobody said otherwise: plenty for a game server, not a fork bomb.
    public static let defaultProcesses = 512

    /// The least room a disk limit gives (tiny, but the node can make a file system that small).
    public static let smallestDiskMiB = 1

    public init(memoryMiB: Int, cpuCores: Double, processes: Int = defaultProcesses, diskMiB: Int? = nil) {
        self.memoryMiB = memoryMiB
        self.cpuCores = cpuCores
        self.processes = processes
        self.diskMiB = diskMiB
    }

    public var problem: String? {
        if memoryMiB < Self.smallestMemoryMiB { return "memory must be at least \(Self.smallestMemoryMiB) MiB" }
        if memoryMiB > 1 << 30 { return "memory must be at most 1 PiB" }
        // Docker's CFS quota is at least 1 ms of each 100 ms period: a hundredth of a core.
        if !(cpuCores >= Self.smallestCPU) || cpuCores > 1024 { return "cpu must be at least 0.01 and at most 1024 cores" }
        if processes < 8 || processes > 1_000_000 { return "processes must be between 8 and 1000000" }
        if let diskMiB, diskMiB < Self.smallestDiskMiB || diskMiB > 1 << 30 {
            return "disk must be at least \(Self.smallestDiskMiB) MiB and at most 1 PiB"
        }
        return nil
    }
}

/// Ids are used in container names and volume paths, so they are kept to a safe alphabet.
public enum InstanceIdentifier {
    public static func isValid(_ id: String) -> Bool {
        guard let first = id.unicodeScalars.first, id.unicodeScalars.count <= 64 else { return false }
        let alphanumeric = { (scalar: Unicode.Scalar) in scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)) }
        return alphanumeric(first) && id.unicodeScalars.allSatisfy { alphanumeric($0) || $0 == "-" || $0 == "_" }
    }
}

/// Environment variable names as POSIX shells accept them.
public enum EnvironmentName {
    /// Names that change how programs are found, loaded or started, and the names the daemon sets
    /// itself: a user may set one only when the image (the admin's) declares it. `LD_PRELOAD` or `PATH`
    /// pointing into the volume would make the admin's install script, run as root, run the user's code.
    public static func changesHowProgramsRun(_ name: String) -> Bool {
        name.hasPrefix("LD_") || protectedNames.contains(name)
    }

    static let protectedNames: Set<String> = [
        "PATH", "HOME", "SHELL", "IFS", "ENV", "BASH_ENV", "PS4", "PROMPT_COMMAND", "TMPDIR", "GCONV_PATH",
        "HOSTALIASES", "LOCALDOMAIN", "RES_OPTIONS", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME", "NODE_OPTIONS",
        "NODE_PATH", "PERL5LIB", "PERL5OPT", "RUBYOPT", "RUBYLIB", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS",
        "JDK_JAVA_OPTIONS", "SERVER_PORT", "PRIMARY_PORT",
    ]

    public static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 128 else { return false }
        let letter = { (scalar: Unicode.Scalar) in ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) || scalar == "_" }
        return letter(first) && name.unicodeScalars.allSatisfy { letter($0) || ("0"..."9").contains($0) }
    }
}
