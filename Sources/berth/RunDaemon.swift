import BerthDaemon
import DockerEngine
import Logging
import ServiceLifecycle

/// Runs services until SIGTERM or SIGINT, then lets them finish their work.
func runUntilSignalled(_ services: [any Service], logger: Logger) async throws {
    let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    try await group.run()
}

/// Builds a daemon over its own Docker client, hands it to `body`, and closes the client afterwards.
func withDaemon(_ configuration: DaemonConfiguration, _ body: (Daemon) async throws -> Void) async throws {
    let docker = DockerEngine(host: configuration.dockerHost)
    do {
        let daemon = await Daemon(configuration: configuration, docker: docker)
        try await daemon.prepare()
        try await body(daemon)
    } catch {
        try? await docker.shutdown()
        throw error
    }
    try await docker.shutdown()
}

/// Runs a daemon alone until signalled.
func runDaemon(_ configuration: DaemonConfiguration, logger: Logger = Logger(label: "berth")) async throws {
    try await withDaemon(configuration) { daemon in
        try await runUntilSignalled(daemon.services { port in
            logger.info("node daemon listening on \(configuration.host):\(port), data in \(configuration.dataDirectory)")
        }, logger: logger)
    }
}
