/// One event from `GET /events`: something happened to a container, image, network or volume.
public struct DockerEvent: Sendable, Decodable, Equatable {
    /// `container`, `image`, `network`, `volume`, ...
    public let type: String
    /// `create`, `start`, `die`, `kill`, `stop`, `destroy`, `oom`, ...
    public let action: String
    public let actor: Actor
    /// Nanoseconds since 1970.
    public let timeNanoseconds: Int64

    public struct Actor: Sendable, Decodable, Equatable {
        public let id: String
        /// For containers: their labels plus `name`, `image` and, on `die`, `exitCode`.
        public let attributes: [String: String]

        enum CodingKeys: String, CodingKey {
            case id = "ID"
            case attributes = "Attributes"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decodeIfPresent(String.self, forKey: .id) ?? ""
            attributes = try container.decodeIfPresent([String: String].self, forKey: .attributes) ?? [:]
        }
    }

    enum CodingKeys: String, CodingKey {
        case type = "Type"
        case action = "Action"
        case actor = "Actor"
        case timeNanoseconds = "timeNano"
    }
}

/// Which events to receive; every set filter must match.
public struct EventFilter: Sendable, Equatable {
    public var types: [String] = []
    public var events: [String] = []
    /// `key` or `key=value`.
    public var labels: [String] = []
    public var containers: [String] = []

    public init(types: [String] = [], events: [String] = [], labels: [String] = [], containers: [String] = []) {
        self.types = types
        self.events = events
        self.labels = labels
        self.containers = containers
    }

    var dockerFilters: [String: [String]] {
        var filters: [String: [String]] = [:]
        if !types.isEmpty { filters["type"] = types }
        if !events.isEmpty { filters["event"] = events }
        if !labels.isEmpty { filters["label"] = labels }
        if !containers.isEmpty { filters["container"] = containers }
        return filters
    }
}
