import BerthDaemon
import DockerEngine
import Foundation
import Logging
import ServiceLifecycle

/// A real daemon for the length of a test's body: on the port its configuration names (0 for any free
/// one), over its own Docker client, shut down gracefully afterwards. Unless told to keep them (a restart
/// test hands them to the next daemon), every container of the node is removed at the end, also when
/// the body failed: a test leaves nothing behind in the engine.
public enum RunningDaemon {
    public static func with<Result: Sendable>(
        _ configuration: DaemonConfiguration,
        logger: Logger,
        keepingContainers: Bool = false,
        _ body: @Sendable (_ port: Int, _ daemon: Daemon) async throws -> Result
    ) async throws -> Result {
        let docker = DockerEngine(host: configuration.dockerHost, logger: logger)
        let daemon = try await Daemon(configuration: configuration, docker: docker, logger: logger)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var groupConfiguration = ServiceGroupConfiguration(services: [try daemon.application { portContinuation.yield($0) }], logger: logger)
        // As `berth daemon` does: a shutdown that does not finish in time is cancelled, never waited on for ever.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(20)
        let group = ServiceGroup(configuration: groupConfiguration)
        let outcome: Swift.Result<Result, any Error> = await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                do {
                    try await group.run()
                } catch {
                    logger.error("the test daemon stopped: \(error)")
                }
                portContinuation.finish()
            }
            var iterator = ports.makeAsyncIterator()
            let outcome = await Swift.Result(asyncCatching: {
                guard let port = await iterator.next() else { throw TestFailure("the daemon never started listening") }
                return try await body(port, daemon)
            })
            await group.triggerGracefulShutdown()
            await tasks.waitForAll()
            return outcome
        }
        if !keepingContainers {
            await removeContainers(labelled: configuration.containerLabel, docker: docker)
            HostShell.unmountAll(under: configuration.dataDirectory)
        }
        try await docker.shutdown()
        return try outcome.get()
    }

    /// Removes every container with the label; an engine that does not answer has none of ours.
    public static func removeContainers(labelled label: String, docker: DockerEngine) async {
        guard let containers = try? await docker.listContainers(labels: [label]) else { return }
        for container in containers {
            try? await docker.removeContainer(container.id, force: true)
        }
    }
}
