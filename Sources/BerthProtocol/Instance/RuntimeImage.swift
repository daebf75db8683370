/// How to run and install an instance: the part of a Berth image a daemon needs.
public struct RuntimeImage: Codable, Sendable, Equatable {
    /// The Docker image reference the instance runs.
    public var dockerImage: String
    /// The command to run, as a shell line; `{{NAME}}` stands for the variable NAME.
    /// The image's own command runs when nil.
    public var startup: String?
    /// The image's fixed environment.
    public var environment: [String: String]
    public var install: InstallScript?
    /// Output text that means the service is up. The instance counts as running at once when nil.
    public var readyPattern: String?
    public var stop: StopMethod
    /// How long a stop may take before the instance is killed.
    public var stopTimeoutSeconds: Int
    /// Capabilities the image needs beyond none at all, e.g. `NET_BIND_SERVICE`.
    public var capabilities: [String]

    public init(
        dockerImage: String,
        startup: String? = nil,
        environment: [String: String] = [:],
        install: InstallScript? = nil,
        readyPattern: String? = nil,
        stop: StopMethod = .signal("SIGTERM"),
        stopTimeoutSeconds: Int = 30,
        capabilities: [String] = []
    ) {
        self.dockerImage = dockerImage
        self.startup = startup
        self.environment = environment
        self.install = install
        self.readyPattern = readyPattern
        self.stop = stop
        self.stopTimeoutSeconds = stopTimeoutSeconds
        self.capabilities = capabilities
    }

    public var problem: String? {
        if !ImageReference.isValid(dockerImage) {
            return "image must be a Docker image reference"
        }
        if !(1...3600).contains(stopTimeoutSeconds) { return "stopTimeoutSeconds must be between 1 and 3600" }
        if let name = environment.keys.first(where: { !EnvironmentName.isValid($0) }) {
            return "image environment name \(name) is not valid"
        }
        if let capability = capabilities.first(where: { !Self.grantableCapabilities.contains($0) }) {
            return "capability \(capability) cannot be granted to an instance"
        }
        if case .signal(let signal) = stop, !Self.stopSignals.contains(signal) {
            return "stop signal \(signal) is not one of \(Self.stopSignals.sorted().joined(separator: ", "))"
        }
        return nil
    }

    /// Capabilities an image may ask for; none of them lets a container reach the host.
    public static let grantableCapabilities: Set<String> = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID", "NET_BIND_SERVICE", "KILL"]
    public static let stopSignals: Set<String> = ["SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGKILL", "SIGUSR1", "SIGUSR2"]
}

/// How an instance is asked to stop.
public enum StopMethod: Codable, Sendable, Equatable {
    /// A line written to the console, e.g. `stop` for Minecraft.
    case command(String)
    /// A signal sent to the main process.
    case signal(String)
}

/// A script run once, before the first start and on reinstall, in a separate container that mounts the volume.
public struct InstallScript: Codable, Sendable, Equatable {
    /// The image the installer runs; the instance's own image when nil.
    public var dockerImage: String?
    /// A POSIX shell script. The volume is at `/mnt/server`; variables are in the environment.
    public var script: String

    public init(dockerImage: String? = nil, script: String) {
        self.dockerImage = dockerImage
        self.script = script
    }
}
