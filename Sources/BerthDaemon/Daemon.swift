import DockerEngine
import Foundation
import Hummingbird
import Logging

/// The node daemon: its HTTP API over the node's Docker engine.
public struct Daemon: Sendable {
    public let configuration: DaemonConfiguration
    public let docker: DockerEngine
    let logger: Logger

    public init(configuration: DaemonConfiguration, docker: DockerEngine, logger: Logger = Logger(label: "berth.daemon")) {
        self.configuration = configuration
        self.docker = docker
        self.logger = logger
    }

    /// The daemon's routes, under `/api`, behind the node token.
    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        let api = router.group("api").add(middleware: NodeTokenMiddleware(token: configuration.nodeToken))
        SystemController(docker: docker, configuration: configuration).addRoutes(to: api)
        return router
    }

    /// Prepares the data directory and says whether Docker answers; a missing engine is not fatal.
    public func prepare() async throws {
        try FileManager.default.createDirectory(atPath: configuration.volumesDirectory, withIntermediateDirectories: true)
        do {
            let version = try await docker.version()
            logger.info("Docker \(version.version) answers at \(docker.host)")
        } catch {
            logger.warning("\(DockerAdvice.whenUnavailable(docker.host, error))")
        }
    }

    /// The daemon as a Hummingbird application, ready to run.
    public func application() -> some ApplicationProtocol {
        Application(
            router: router(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "berth-daemon"),
            logger: logger
        )
    }
}
