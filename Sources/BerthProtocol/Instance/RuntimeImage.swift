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
    /// Several texts, any of which means the service is up (an egg's `done` list); ``readyPattern`` is the first.
    public var readyPatterns: [String]?
    public var stop: StopMethod
    /// How long a stop may take before the instance is killed.
    public var stopTimeoutSeconds: Int
    /// Every text that means the service is up; none when the instance counts as running at once.
    public var allReadyPatterns: [String] {
        (readyPatterns ?? readyPattern.map { [$0] } ?? []).filter { !$0.isEmpty }
    }
    /// Capabilities the image needs beyond none at all, e.g. `NET_BIND_SERVICE`.
    public var capabilities: [String]
    /// Configuration files the daemon edits in the volume before each start (an egg's `config.files`).
    public var configFiles: [ConfigFileEdit]?

    public init(
        dockerImage: String,
        startup: String? = nil,
        environment: [String: String] = [:],
        install: InstallScript? = nil,
        readyPattern: String? = nil,
        readyPatterns: [String]? = nil,
        stop: StopMethod = .signal("SIGTERM"),
        stopTimeoutSeconds: Int = 30,
        capabilities: [String] = [],
        configFiles: [ConfigFileEdit]? = nil
    ) {
        self.dockerImage = dockerImage
        self.startup = startup
        self.environment = environment
        self.install = install
        self.readyPattern = readyPattern
        self.readyPatterns = readyPatterns
        self.stop = stop
        self.stopTimeoutSeconds = stopTimeoutSeconds
        self.capabilities = capabilities
        self.configFiles = configFiles
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
        if let file = (configFiles ?? []).first(where: { !ConfigFileEdit.parsers.contains($0.parser) }) {
            return
                "config file \(file.path) has the parser \(file.parser), which is not one of \(ConfigFileEdit.parsers.sorted().joined(separator: ", "))"
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
    /// The program that runs the script (`bash`, `ash`, as an egg says), with `-c`; `/bin/sh` when nil.
    public var entrypoint: String?
    /// The URLs the script downloads from, with `{{NAME}}` placeholders (Skyport's `Scripts.Install`). The
    /// daemon checks each once the variables are filled in and its host resolved, before the script runs.
    public var downloads: [String]?

    public init(dockerImage: String? = nil, script: String, entrypoint: String? = nil, downloads: [String]? = nil) {
        self.dockerImage = dockerImage
        self.script = script
        self.entrypoint = entrypoint
        self.downloads = downloads
    }
}

/// One configuration file to edit before a start: each `find` key (as `parser` reads the file) set to its
/// value, in which placeholders such as `{{server.build.default.port}}` or `{{server.build.env.NAME}}`
/// stand for the instance's own.
public struct ConfigFileEdit: Codable, Sendable, Equatable {
    /// Inside the volume.
    public var path: String
    /// `properties`, `ini`, `file`, `json`, `yaml` or `xml`.
    public var parser: String
    public var find: [String: String]

    public static let parsers: Set<String> = ["properties", "yaml", "json", "ini", "xml", "file"]

    public init(path: String, parser: String, find: [String: String]) {
        self.path = path
        self.parser = parser
        self.find = find
    }
}
