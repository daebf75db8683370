import BerthDaemon
import DockerEngine
import Logging
import ServiceLifecycle

/// Runs a daemon until SIGTERM or SIGINT, then lets its work finish and closes the Docker client.
func runDaemon(_ configuration: DaemonConfiguration, logger: Logger = Logger(label: "berth")) async throws {
    let docker = DockerEngine(host: configuration.dockerHost)
    let daemon = await Daemon(configuration: configuration, docker: docker)
    do {
        try await daemon.prepare()
        let group = ServiceGroup(
            services: daemon.services { port in
                logger.info("node daemon listening on \(configuration.host):\(port), data in \(configuration.dataDirectory)")
            },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        try await group.run()
    } catch {
        try? await docker.shutdown()
        throw error
    }
    try await docker.shutdown()
}
