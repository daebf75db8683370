import BerthDaemon
import DockerEngine
import Logging
import ServiceLifecycle

/// Runs services (the applications) until SIGTERM or SIGINT, then lets them finish their work.
func runUntilSignalled(_ services: [any Service], logger: Logger) async throws {
    let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    try await group.run()
}

/// Builds a daemon over its own Docker client, hands it to `body`, and closes the client afterwards.
func withDaemon(_ configuration: DaemonConfiguration, _ body: (Daemon) async throws -> Void) async throws {
    let docker = DockerEngine(host: configuration.dockerHost)
    do {
        try await body(await Daemon(configuration: configuration, docker: docker))
    } catch {
        try? await docker.shutdown()
        throw error
    }
    try await docker.shutdown()
}
