/// What `GET /version` reports.
public struct EngineVersion: Sendable, Decodable {
    public let version: String
    public let apiVersion: String
    public let minimumAPIVersion: String?
    public let operatingSystem: String
    public let architecture: String
    public let kernelVersion: String?

    enum CodingKeys: String, CodingKey {
        case version = "Version"
        case apiVersion = "ApiVersion"
        case minimumAPIVersion = "MinAPIVersion"
        case operatingSystem = "Os"
        case architecture = "Arch"
        case kernelVersion = "KernelVersion"
    }
}

/// The parts of `GET /info` a node reports: capacity and what runs.
public struct EngineInfo: Sendable, Decodable {
    public let name: String
    public let serverVersion: String
    public let processorCount: Int
    public let memoryTotal: Int64
    public let containers: Int
    public let containersRunning: Int
    public let images: Int
    public let rootDirectory: String
    public let storageDriver: String
    public let cgroupVersion: String?
    public let operatingSystem: String

    enum CodingKeys: String, CodingKey {
        case name = "Name"
        case serverVersion = "ServerVersion"
        case processorCount = "NCPU"
        case memoryTotal = "MemTotal"
        case containers = "Containers"
        case containersRunning = "ContainersRunning"
        case images = "Images"
        case rootDirectory = "DockerRootDir"
        case storageDriver = "Driver"
        case cgroupVersion = "CgroupVersion"
        case operatingSystem = "OperatingSystem"
    }
}
