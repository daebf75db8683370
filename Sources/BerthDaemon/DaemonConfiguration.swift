import DockerEngine
import Foundation

/// How a daemon runs, read once at start.
public struct DaemonConfiguration: Sendable, Equatable {
    /// The address the daemon's API listens on.
    public var host: String
    public var port: Int
    /// Where volumes and the daemon's own state live.
    public var dataDirectory: String
    public var dockerHost: DockerHost
    /// The panel this node reports to, when it has one.
    public var panelURL: String?
    /// The node's token: the panel presents it to us, and we present it to the panel.
    public var nodeToken: String

    public init(
        host: String = "0.0.0.0",
        port: Int = 3002,
        dataDirectory: String,
        dockerHost: DockerHost = .fromEnvironment(),
        panelURL: String? = nil,
        nodeToken: String
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.dockerHost = dockerHost
        self.panelURL = panelURL
        self.nodeToken = nodeToken
    }

    /// Instance volumes live here, one directory per instance.
    public var volumesDirectory: String { (dataDirectory as NSString).appendingPathComponent("volumes") }
}
