/// How Docker keeps a container's output (`HostConfig.LogConfig`).
public struct LogConfiguration: Codable, Sendable, Equatable {
    /// The log driver, e.g. `local` or `json-file`.
    public var type: String
    /// Driver options, e.g. `max-size` and `max-file`.
    public var options: [String: String]

    public init(type: String, options: [String: String] = [:]) {
        self.type = type
        self.options = options
    }

    enum CodingKeys: String, CodingKey {
        case type = "Type"
        case options = "Config"
    }
}
