/// What `GET /images/{name}/json` reports about an image.
public struct ImageInspection: Sendable, Decodable {
    public let id: String
    public let repositoryTags: [String]
    public let size: Int64
    public let configuration: Configuration?

    public struct Configuration: Sendable, Decodable {
        public let environment: [String]?
        public let command: [String]?
        public let entrypoint: [String]?
        public let workingDirectory: String?
        public let user: String?
        public let labels: [String: String]?

        enum CodingKeys: String, CodingKey {
            case environment = "Env"
            case command = "Cmd"
            case entrypoint = "Entrypoint"
            case workingDirectory = "WorkingDir"
            case user = "User"
            case labels = "Labels"
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        repositoryTags = try container.decodeIfPresent([String].self, forKey: .repositoryTags) ?? []
        size = try container.decodeIfPresent(Int64.self, forKey: .size) ?? 0
        configuration = try container.decodeIfPresent(Configuration.self, forKey: .configuration)
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case repositoryTags = "RepoTags"
        case size = "Size"
        case configuration = "Config"
    }
}

/// One image as `GET /images/json` lists it.
public struct ImageSummary: Sendable, Decodable {
    public let id: String
    public let repositoryTags: [String]
    public let size: Int64
    public let created: Int64

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        repositoryTags = try container.decodeIfPresent([String].self, forKey: .repositoryTags) ?? []
        size = try container.decodeIfPresent(Int64.self, forKey: .size) ?? 0
        created = try container.decodeIfPresent(Int64.self, forKey: .created) ?? 0
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case repositoryTags = "RepoTags"
        case size = "Size"
        case created = "Created"
    }
}

/// One line of progress from `POST /images/create` (a pull).
public struct PullProgress: Sendable, Decodable, Equatable {
    /// e.g. `Pulling fs layer`, `Downloading`, `Pull complete`, `Status: Downloaded newer image for ...`.
    public let status: String?
    /// The layer the line is about, when it is about one.
    public let layer: String?
    public let currentBytes: Int64?
    public let totalBytes: Int64?
    let error: String?

    enum CodingKeys: String, CodingKey {
        case status
        case layer = "id"
        case progressDetail
        case error
    }

    enum DetailKeys: String, CodingKey {
        case current, total
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        layer = try container.decodeIfPresent(String.self, forKey: .layer)
        error = try container.decodeIfPresent(String.self, forKey: .error)
        if let detail = try? container.nestedContainer(keyedBy: DetailKeys.self, forKey: .progressDetail) {
            currentBytes = try detail.decodeIfPresent(Int64.self, forKey: .current)
            totalBytes = try detail.decodeIfPresent(Int64.self, forKey: .total)
        } else {
            currentBytes = nil
            totalBytes = nil
        }
    }
}
