import ArgumentParser
import BerthDaemon
import BerthHTTP
import DockerEngine
import Foundation
import Logging

/// `berth daemon` (and `berth-node`): the node agent alone, for a machine that hosts instances for a remote panel.
package struct DaemonCommand: AsyncParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run the node daemon alone, or configure it.",
        subcommands: [Run.self, Configure.self],
        defaultSubcommand: Run.self
    )

    package struct Run: AsyncParsableCommand {
        package init() {}

        package static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the node daemon (the default).")

        @OptionGroup var location: DataOptions

        @OptionGroup var network: TenantNetworkOptions

        @Option(help: "Messages one console socket may send a second (twice as many in a burst).")
        var consoleCommandsPerSecond = 20

        @Option(help: "Seconds between heartbeats to the panel; keep it well under the panel's --node-timeout.")
        var heartbeatInterval = 10.0

        @OptionGroup var sftp: SFTPOptions

        @OptionGroup var metrics: MetricsOptions

        @OptionGroup var disk: DiskOptions

        @OptionGroup var logging: LogOptions

        package func validate() throws {
            guard (0.1...3600).contains(heartbeatInterval) else { throw ValidationError("--heartbeat-interval must be 0.1-3600 seconds") }
            _ = try disk.volumesImageBytes()
        }

        package func run() async throws {
            logging.bootstrap()
            let environment = NodeEnvironment.read()
            let dataDirectory = location.directory(in: environment)
            guard let settings = try DaemonSettings.load(from: dataDirectory) else {
                throw ValidationError(
                    "this node is not configured; run the command the panel showed when the node was created: berth daemon configure --panel URL --token-file -"
                )
            }
            guard let credentials = NodeCredentials(token: settings.token) else {
                throw ValidationError("the token in \(DaemonSettings.path(in: dataDirectory)) is not a node token; configure the node again")
            }
            // A node configured before the channel had TLS gets its certificate now; the panel pins it on
            // the next heartbeat.
            let certificate = try NodeCertificate.loadOrCreate(in: dataDirectory)
            let configuration = DaemonConfiguration(
                host: settings.host,
                port: settings.port,
                dataDirectory: dataDirectory,
                dockerHost: environment.dockerHost,
                panelURLs: settings.panelURLs,
                heartbeatInterval: .milliseconds(Int64(heartbeatInterval * 1000)),
                credentials: credentials,
                certificate: certificate,
                nodeID: try NodeIdentity.loadOrCreate(in: dataDirectory),
                publishAddress: settings.publishAddress,
                isolatesNetwork: network.isolates,
                allowsPrivateNetwork: network.allowPrivateNetwork,
                allowsPrivateDownloads: network.allowsPrivateDownloads,
                consoleCommandsPerSecond: consoleCommandsPerSecond,
                sftpPort: sftp.port,
                metricsToken: try metrics.token(),
                volumesImageBytes: try disk.volumesImageBytes()
            )
            let logger = Logger(label: "berth")
            try await withDaemon(configuration) { daemon in
                let application = try daemon.application { port in
                    logger.info("node daemon listening on \(configuration.host):\(port) (TLS, \(certificate.fingerprint)), data in \(dataDirectory)")
                }
                try await runUntilSignalled([application], logger: logger)
            }
        }
    }

    package struct Configure: AsyncParsableCommand {
        package init() {}

        package static let configuration = CommandConfiguration(
            commandName: "configure",
            abstract: "Write this node's configuration (the panel it reports to and its token) and make its TLS certificate."
        )

        @Option(help: "The panel's URL, e.g. https://panel.example.com; with replicas, each one's, separated by commas.")
        var panel: String

        @Option(help: "The node token the panel showed when the node was created (prefer --token-file: ps shows arguments).")
        var token: String?

        @Option(help: "A file holding the node token, or - to read it from standard input.")
        var tokenFile: String?

        @OptionGroup var location: DataOptions

        @Option(help: "The address the daemon listens on.")
        var host = "0.0.0.0"

        @Option(help: "The port the daemon listens on.")
        var port = 3002

        @Option(help: "The host address instance ports are published on.")
        var publishAddress = "0.0.0.0"

        package func validate() throws {
            for panel in DaemonSettings.urls(in: panel) {
                guard let url = URL(string: panel), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                    throw ValidationError("--panel must be an http or https URL, or several separated by commas")
                }
            }
            guard (1...65535).contains(port) else { throw ValidationError("--port must be 1-65535") }
        }

        package func run() throws {
            let token = try SecretInput.read(value: token, file: tokenFile, option: "token")
            guard NodeCredentials(token: token) != nil else {
                throw ValidationError("the token does not look like a node token")
            }
            let dataDirectory = location.directory(in: NodeEnvironment.read())
            let settings = DaemonSettings(panelURL: panel, token: token, host: host, port: port, publishAddress: publishAddress)
            let path = try settings.save(in: dataDirectory)
            let certificate = try NodeCertificate.loadOrCreate(in: dataDirectory)
            print(
                """
                this node is configured; its settings are in \(path).
                its TLS certificate's fingerprint is \(certificate.fingerprint)
                the panel pins it on the node's first heartbeat and shows it on the Nodes page: compare the two.
                Start the node with: berth daemon --data \(dataDirectory)
                """
            )
        }
    }
}

/// The daemon's settings file, `daemon.json` in the data directory, readable only by its owner.
struct DaemonSettings: Codable {
    /// The panel's URL, or its replicas' separated by commas.
    var panelURL: String
    var token: String
    var host: String
    var port: Int
    var publishAddress: String

    var panelURLs: [String] { Self.urls(in: panelURL) }

    static func urls(in list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func path(in dataDirectory: String) -> String {
        (dataDirectory as NSString).appendingPathComponent("daemon.json")
    }

    static func load(from dataDirectory: String) throws -> DaemonSettings? {
        let path = path(in: dataDirectory)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try JSONDecoder().decode(DaemonSettings.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func save(in dataDirectory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = Self.path(in: dataDirectory)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
        chmod(path, 0o600)
        return path
    }
}
