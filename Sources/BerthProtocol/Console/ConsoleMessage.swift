/// What a console WebSocket carries from the daemon to a viewer, one JSON object per text frame.
public struct ConsoleMessage: Codable, Sendable, Equatable {
    public enum Event: String, Codable, Sendable {
        /// Console output text, lines with their newlines.
        case output
        /// The power state changed; `data` is the new state.
        case status
        /// A resource sample; `stats` holds it.
        case stats
        /// Something the viewer should know, e.g. output throttled or a refused command.
        case notice
        case error
    }

    public var event: Event
    public var data: String?
    public var stats: ResourceSample?

    public init(event: Event, data: String? = nil, stats: ResourceSample? = nil) {
        self.event = event
        self.data = data
        self.stats = stats
    }
}

/// What a viewer sends: a console command, or a power action.
public struct ConsoleRequest: Codable, Sendable, Equatable {
    public enum Event: String, Codable, Sendable {
        case command, power
    }

    public var event: Event
    public var data: String

    public init(event: Event, data: String) {
        self.event = event
        self.data = data
    }
}

/// One sample of an instance's resource use.
public struct ResourceSample: Codable, Sendable, Equatable {
    /// Percent of one core: 150 is one and a half cores busy.
    public var cpuPercent: Double
    public var memoryBytes: Int64
    public var memoryLimitBytes: Int64
    public var networkReceivedBytes: Int64
    public var networkTransmittedBytes: Int64
    /// When the container started, in seconds since 1970: the lists show the uptime. Only in the node's
    /// usage answer; the console's samples leave it out.
    public var startedAt: Double?

    public init(
        cpuPercent: Double,
        memoryBytes: Int64,
        memoryLimitBytes: Int64,
        networkReceivedBytes: Int64,
        networkTransmittedBytes: Int64,
        startedAt: Double? = nil
    ) {
        self.cpuPercent = cpuPercent
        self.memoryBytes = memoryBytes
        self.memoryLimitBytes = memoryLimitBytes
        self.networkReceivedBytes = networkReceivedBytes
        self.networkTransmittedBytes = networkTransmittedBytes
        self.startedAt = startedAt
    }
}

/// The claims of a console token: the panel signs them (HS256, with a key derived from the node token),
/// the daemon checks them.
public struct ConsoleTokenClaims: Codable, Sendable, Equatable {
    /// Always `console`: a token minted for another purpose is refused.
    public var purpose: String
    public var instanceID: String
    /// Who opened the console, for the daemon's log.
    public var subject: String
    /// Seconds since 1970 after which the token is refused.
    public var expires: Int64

    public init(purpose: String = "console", instanceID: String, subject: String, expires: Int64) {
        self.purpose = purpose
        self.instanceID = instanceID
        self.subject = subject
        self.expires = expires
    }

    enum CodingKeys: String, CodingKey {
        case purpose = "scope"
        case instanceID = "instance"
        case subject = "sub"
        case expires = "exp"
    }
}
