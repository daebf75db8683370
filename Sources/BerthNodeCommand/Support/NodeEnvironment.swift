import DockerEngine
import Foundation

/// The environment variables the node's commands read, once, when a command starts.
package struct NodeEnvironment: Sendable {
    /// `BERTH_DATA`: the data directory when `--data` is not given.
    package var dataDirectory: String?
    /// `DOCKER_HOST`, as Docker's own tools read it.
    package var dockerHost: DockerHost

    package init(dataDirectory: String?, dockerHost: DockerHost) {
        self.dataDirectory = dataDirectory
        self.dockerHost = dockerHost
    }

    package static func read(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> NodeEnvironment {
        NodeEnvironment(dataDirectory: environment["BERTH_DATA"].flatMap { $0.isEmpty ? nil : $0 }, dockerHost: .fromEnvironment(environment))
    }
}
