import BerthDaemon
import DockerEngine
import Logging
import ServiceLifecycle

/// Runs services (the applications) until SIGTERM or SIGINT, then lets them finish their work for at
/// most ``gracefulShutdownLimit``, after which what still runs is cancelled: a request or a connection
/// that never ends must not keep the process from stopping (systemd would kill it without a word).
package func runUntilSignalled(_ services: [any Service], logger: Logger) async throws {
    var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    configuration.maximumGracefulShutdownDuration = gracefulShutdownLimit
    try await ServiceGroup(configuration: configuration).run()
}

package let gracefulShutdownLimit = Duration.seconds(30)

/// Builds a daemon over its own Docker client, hands it to `body`, and closes the client afterwards.
package func withDaemon(_ configuration: DaemonConfiguration, _ body: (Daemon) async throws -> Void) async throws {
    let docker = DockerEngine(host: configuration.dockerHost)
    do {
        try await body(try await Daemon(configuration: configuration, docker: docker))
    } catch {
        try? await docker.shutdown()
        throw error
    }
    try await docker.shutdown()
}
