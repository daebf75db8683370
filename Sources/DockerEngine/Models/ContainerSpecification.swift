/// Everything needed to create a container: what `POST /containers/create` takes.
public struct ContainerSpecification: Sendable, Codable, Equatable {
    public var image: String
    public var command: [String]?
    public var entrypoint: [String]?
    /// `KEY=value` strings.
    public var environment: [String]?
    public var labels: [String: String]?
    public var workingDirectory: String?
    public var user: String?
    public var hostname: String?
    /// Allocate a terminal. Without one, attach and logs interleave stdout and stderr with 8-byte frame headers.
    public var tty: Bool
    /// Keep stdin open so console commands can be written to it.
    public var openStdin: Bool
    /// Close the container's stdin when the attachment that writes to it closes its own.
    public var stdinOnce: Bool
    public var attachStdin: Bool
    public var attachStdout: Bool
    public var attachStderr: Bool
    public var stopSignal: String?
    public var stopTimeout: Int?
    public var exposedPorts: [String: EmptyObject]?
    public var hostConfiguration: HostConfiguration

    public init(
        image: String,
        command: [String]? = nil,
        entrypoint: [String]? = nil,
        environment: [String]? = nil,
        labels: [String: String]? = nil,
        workingDirectory: String? = nil,
        user: String? = nil,
        hostname: String? = nil,
        tty: Bool = false,
        openStdin: Bool = false,
        stdinOnce: Bool = false,
        stopSignal: String? = nil,
        stopTimeout: Int? = nil,
        hostConfiguration: HostConfiguration = HostConfiguration()
    ) {
        self.image = image
        self.command = command
        self.entrypoint = entrypoint
        self.environment = environment
        self.labels = labels
        self.workingDirectory = workingDirectory
        self.user = user
        self.hostname = hostname
        self.tty = tty
        self.openStdin = openStdin
        self.stdinOnce = stdinOnce
        self.attachStdin = openStdin
        self.attachStdout = true
        self.attachStderr = true
        self.stopSignal = stopSignal
        self.stopTimeout = stopTimeout
        let exposed = hostConfiguration.publishedPorts.map { ($0.dockerKey, EmptyObject()) }
        self.exposedPorts = exposed.isEmpty ? nil : Dictionary(exposed, uniquingKeysWith: { first, _ in first })
        self.hostConfiguration = hostConfiguration
    }

    enum CodingKeys: String, CodingKey {
        case image = "Image"
        case command = "Cmd"
        case entrypoint = "Entrypoint"
        case environment = "Env"
        case labels = "Labels"
        case workingDirectory = "WorkingDir"
        case user = "User"
        case hostname = "Hostname"
        case tty = "Tty"
        case openStdin = "OpenStdin"
        case stdinOnce = "StdinOnce"
        case attachStdin = "AttachStdin"
        case attachStdout = "AttachStdout"
        case attachStderr = "AttachStderr"
        case stopSignal = "StopSignal"
        case stopTimeout = "StopTimeout"
        case exposedPorts = "ExposedPorts"
        case hostConfiguration = "HostConfig"
    }
}

/// What the engine answers to a create request.
public struct CreatedContainer: Sendable, Decodable {
    public let id: String
    public let warnings: [String]?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case warnings = "Warnings"
    }
}
