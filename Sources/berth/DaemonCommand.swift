import ArgumentParser
import BerthDaemon
import DockerEngine
import Foundation
import Logging
import ServiceLifecycle

/// `berth daemon`: the node agent alone, for a machine that hosts instances for a remote panel.
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run the node daemon alone."
    )

    @Option(help: "Where the daemon keeps volumes and state (default: $BERTH_DATA or ./berth-data).")
    var data: String?

    @Option(help: "The address to listen on.")
    var host = "0.0.0.0"

    @Option(help: "The port to listen on.")
    var port = 3002

    func run() async throws {
        let dataDirectory = DataDirectory.resolve(data)
        let token = try LocalNodeToken.loadOrCreate(in: dataDirectory)
        let docker = DockerEngine()
        let daemon = Daemon(
            configuration: DaemonConfiguration(host: host, port: port, dataDirectory: dataDirectory, nodeToken: token),
            docker: docker
        )
        try await daemon.prepare()
        let group = ServiceGroup(services: [daemon.application()], gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "berth"))
        defer { Task { try? await docker.shutdown() } }
        try await group.run()
    }
}
