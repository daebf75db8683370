/// A container port published on the host: `hostAddress:hostPort` → `containerPort/transport`.
public struct PublishedPort: Sendable, Hashable, Codable {
    public enum Transport: String, Sendable, Hashable, Codable {
        case tcp, udp
    }

    public var containerPort: Int
    public var hostPort: Int
    public var hostAddress: String
    public var transport: Transport

    public init(containerPort: Int, hostPort: Int, hostAddress: String = "0.0.0.0", transport: Transport = .tcp) {
        self.containerPort = containerPort
        self.hostPort = hostPort
        self.hostAddress = hostAddress
        self.transport = transport
    }

    /// Docker's key for this port in `ExposedPorts` and `PortBindings`, e.g. `25565/tcp`.
    var dockerKey: String { "\(containerPort)/\(transport.rawValue)" }
}

/// One host binding as Docker writes it in `PortBindings` and `NetworkSettings.Ports`.
public struct PortBinding: Sendable, Hashable, Codable {
    public var hostIP: String
    public var hostPort: String

    public init(hostIP: String, hostPort: String) {
        self.hostIP = hostIP
        self.hostPort = hostPort
    }

    enum CodingKeys: String, CodingKey {
        case hostIP = "HostIp"
        case hostPort = "HostPort"
    }
}
