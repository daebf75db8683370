import Foundation

extension DockerEngine {
    /// The network named `name`, or nil when the engine has none.
    public func inspectNetwork(_ name: String) async throws -> NetworkInspection? {
        do {
            return try await decode(NetworkInspection.self, .GET, "/networks/\(escaped(name))")
        } catch DockerEngineError.notFound {
            return nil
        }
    }

    /// Creates a bridge network with the driver options given (`com.docker.network.bridge.*`).
    public func createBridgeNetwork(named name: String, options: [String: String], labels: [String: String] = [:]) async throws {
        try await perform(
            .POST,
            "/networks/create",
            body: NetworkCreation(name: name, driver: "bridge", checkDuplicate: true, options: options, labels: labels)
        )
    }

    public func removeNetwork(_ name: String) async throws {
        try await perform(.DELETE, "/networks/\(escaped(name))")
    }
}

struct NetworkCreation: Encodable, Sendable {
    let name: String
    let driver: String
    let checkDuplicate: Bool
    let options: [String: String]
    let labels: [String: String]

    enum CodingKeys: String, CodingKey {
        case name = "Name"
        case driver = "Driver"
        case checkDuplicate = "CheckDuplicate"
        case options = "Options"
        case labels = "Labels"
    }
}

/// What the engine says of a network: its driver options and the address blocks it hands out.
public struct NetworkInspection: Sendable, Decodable {
    public let id: String
    public let name: String
    public let driver: String
    public let options: [String: String]
    public let subnets: [String]

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case name = "Name"
        case driver = "Driver"
        case options = "Options"
        case ipam = "IPAM"
    }

    private struct IPAM: Decodable {
        let config: [Block]?
        enum CodingKeys: String, CodingKey { case config = "Config" }
    }

    private struct Block: Decodable {
        let subnet: String?
        enum CodingKeys: String, CodingKey { case subnet = "Subnet" }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        driver = try container.decode(String.self, forKey: .driver)
        options = try container.decodeIfPresent([String: String].self, forKey: .options) ?? [:]
        subnets = (try container.decodeIfPresent(IPAM.self, forKey: .ipam)?.config ?? []).compactMap(\.subnet)
    }

    /// The Linux bridge the network's containers hang off: the name set by option, or Docker's own.
    public var bridgeName: String {
        options["com.docker.network.bridge.name"] ?? "br-\(id.prefix(12))"
    }
}
