import Foundation

/// What `GET /containers/{id}/json` reports about a container.
public struct ContainerInspection: Sendable, Decodable {
    public let id: String
    /// The name with Docker's leading slash removed.
    public let name: String
    public let imageID: String
    public let state: ContainerState
    public let configuration: Configuration
    public let hostConfiguration: HostConfiguration
    public let networkSettings: NetworkSettings
    public let restartCount: Int

    /// The creation-time configuration as the engine kept it.
    public struct Configuration: Sendable, Decodable {
        public let image: String
        public let environment: [String]?
        public let labels: [String: String]?
        public let tty: Bool
        public let openStdin: Bool
        public let command: [String]?
        public let user: String?

        enum CodingKeys: String, CodingKey {
            case image = "Image"
            case environment = "Env"
            case labels = "Labels"
            case tty = "Tty"
            case openStdin = "OpenStdin"
            case command = "Cmd"
            case user = "User"
        }
    }

    public struct NetworkSettings: Sendable, Decodable {
        /// Published ports while the container runs: `25565/tcp` → bindings (nil when not published).
        public let ports: [String: [PortBinding]?]?
        /// The container's place on each network it joined, by network name.
        public let networks: [String: Endpoint]?

        public struct Endpoint: Sendable, Decodable {
            public let ipAddress: String
            public let gateway: String

            enum CodingKeys: String, CodingKey {
                case ipAddress = "IPAddress"
                case gateway = "Gateway"
            }
        }

        enum CodingKeys: String, CodingKey {
            case ports = "Ports"
            case networks = "Networks"
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        let rawName = try container.decode(String.self, forKey: .name)
        name = rawName.hasPrefix("/") ? String(rawName.dropFirst()) : rawName
        imageID = try container.decode(String.self, forKey: .imageID)
        state = try container.decode(ContainerState.self, forKey: .state)
        configuration = try container.decode(Configuration.self, forKey: .configuration)
        hostConfiguration = try container.decode(HostConfiguration.self, forKey: .hostConfiguration)
        networkSettings = try container.decode(NetworkSettings.self, forKey: .networkSettings)
        restartCount = try container.decodeIfPresent(Int.self, forKey: .restartCount) ?? 0
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case name = "Name"
        case imageID = "Image"
        case state = "State"
        case configuration = "Config"
        case hostConfiguration = "HostConfig"
        case networkSettings = "NetworkSettings"
        case restartCount = "RestartCount"
    }
}

/// A container's run state as the engine reports it.
public struct ContainerState: Sendable, Decodable, Equatable {
    /// `created`, `running`, `paused`, `restarting`, `removing`, `exited` or `dead`.
    public let status: String
    public let running: Bool
    public let paused: Bool
    public let restarting: Bool
    public let killedForMemory: Bool
    public let dead: Bool
    public let processID: Int
    public let exitCode: Int
    public let error: String
    public let startedAt: String
    public let finishedAt: String

    enum CodingKeys: String, CodingKey {
        case status = "Status"
        case running = "Running"
        case paused = "Paused"
        case restarting = "Restarting"
        case killedForMemory = "OOMKilled"
        case dead = "Dead"
        case processID = "Pid"
        case exitCode = "ExitCode"
        case error = "Error"
        case startedAt = "StartedAt"
        case finishedAt = "FinishedAt"
    }
}

/// One container as `GET /containers/json` lists it.
public struct ContainerSummary: Sendable, Decodable {
    public let id: String
    public let names: [String]
    public let image: String
    /// `created`, `running`, `exited`, ...
    public let state: String
    /// A human description such as `Up 5 minutes`.
    public let status: String
    public let labels: [String: String]
    /// The container's ports; those published on the host carry the host port.
    public let ports: [ListedPort]

    /// One port as the container list shows it.
    public struct ListedPort: Sendable, Decodable, Hashable {
        public let containerPort: Int
        public let hostPort: Int?
        /// `tcp` or `udp`.
        public let transport: String

        enum CodingKeys: String, CodingKey {
            case containerPort = "PrivatePort"
            case hostPort = "PublicPort"
            case transport = "Type"
        }
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case names = "Names"
        case image = "Image"
        case state = "State"
        case status = "Status"
        case labels = "Labels"
        case ports = "Ports"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        names = (try container.decodeIfPresent([String].self, forKey: .names) ?? [])
            .map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 }
        image = try container.decode(String.self, forKey: .image)
        state = try container.decode(String.self, forKey: .state)
        status = try container.decode(String.self, forKey: .status)
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        ports = try container.decodeIfPresent([ListedPort].self, forKey: .ports) ?? []
    }
}

/// How a container ended, as `POST /containers/{id}/wait` reports it.
public struct ContainerExit: Sendable, Decodable, Equatable {
    public let statusCode: Int
    public let error: ExitError?

    public struct ExitError: Sendable, Decodable, Equatable {
        public let message: String?

        enum CodingKeys: String, CodingKey {
            case message = "Message"
        }
    }

    enum CodingKeys: String, CodingKey {
        case statusCode = "StatusCode"
        case error = "Error"
    }
}
