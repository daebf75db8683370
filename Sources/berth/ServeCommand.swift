import ArgumentParser
import BerthDaemon
import BerthHTTP
import BerthNodeCommand
import BerthPanel
import BerthWeb
import Foundation
import Logging

/// `berth serve`: everything on one machine with no configuration.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run Berth on this machine: the panel and a local node, on SQLite, with no configuration."
    )

    @OptionGroup var location: DataOptions

    @Option(help: "The address the panel listens on.")
    var host = "127.0.0.1"

    @Option(help: "The panel's port.")
    var port = 3001

    @Option(help: "The local node daemon's port (it listens on 127.0.0.1 only).")
    var daemonPort = 3002

    @Flag(help: "Let instances publish host ports below 1024.")
    var allowLowPorts = false

    @Flag(help: "Let webhooks go to private network addresses and this machine (a chat bot beside the panel).")
    var allowPrivateWebhooks = false

    @OptionGroup var proxies: TrustedProxyOptions

    @OptionGroup var mail: MailOptions

    @OptionGroup var backupStorage: BackupStorageOptions

    @OptionGroup var metrics: MetricsOptions

    @OptionGroup var logging: LogOptions

    @Option(help: "Failed sign-ins or API keys one client address may send before it must wait.")
    var failedAuthenticationLimit = 10

    @OptionGroup var network: TenantNetworkOptions

    @Option(help: "Messages one console socket may send a second (twice as many in a burst).")
    var consoleCommandsPerSecond = 20

    @OptionGroup var sftp: SFTPOptions

    @Option(help: "Image JSON files to import at first start (default: ./images when it exists).")
    var images: String?

    func run() async throws {
        logging.bootstrap()
        let logger = Logger(label: "berth")
        let environment = BerthEnvironment.read()
        let dataDirectory = location.directory(in: environment.node)
        // One token for both: read once, since standard input (`-`) can be read only once.
        let metricsToken = try metrics.token()
        let credentials = try LocalNodeCredentials.loadOrCreate(in: dataDirectory)
        let certificate = try NodeCertificate.loadOrCreate(in: dataDirectory)
        let panel = try await Panel.open(
            PanelConfiguration(
                host: host,
                port: port,
                dataDirectory: dataDirectory,
                databaseURL: environment.databaseURL,
                imagesDirectory: images ?? (FileManager.default.fileExists(atPath: "images") ? "images" : nil),
                failedAuthenticationLimit: failedAuthenticationLimit,
                trustedProxies: proxies.trustedProxies,
                allowsLowHostPorts: allowLowPorts,
                allowsPrivateWebhooks: allowPrivateWebhooks,
                backupBucket: try backupStorage.bucket(secret: environment.s3SecretAccessKey),
                mail: try mail.settings(password: environment.smtpPassword),
                benchCeiling: environment.benchCeiling,
                metricsToken: metricsToken
            )
        )
        do {
            if let admin = try await panel.prepareFirstStart() {
                // Written straight to the terminal (or log) so it is there even while Berth keeps running.
                FileHandle.standardOutput.write(
                    Data(
                        """
                        Berth is set up. Sign in as admin with this password (shown once; also in \(admin.passwordFile)):
                            \(admin.adminPassword)

                        """.utf8
                    )
                )
            }
            let capacity = HostResources.read(diskAt: dataDirectory)
            try await panel.registerLocalNode(
                port: daemonPort,
                credentials: credentials,
                certificatePEM: certificate.certificatePEM,
                ram: Int(capacity.memoryTotalBytes >> 20),
                disk: Int(capacity.diskTotalBytes >> 20),
                cores: capacity.cores,
                // Deploys that name no ports take them from here, as on a game host's first node.
                portRanges: try PortRanges("25565-25664", field: "port ranges", lowest: 1024)
            )
        } catch {
            await panel.close()
            throw error
        }
        let daemonConfiguration = DaemonConfiguration(
            host: "127.0.0.1",
            port: daemonPort,
            dataDirectory: dataDirectory,
            dockerHost: environment.node.dockerHost,
            panelURLs: ["http://127.0.0.1:\(port)"],
            credentials: credentials,
            certificate: certificate,
            nodeID: try NodeIdentity.loadOrCreate(in: dataDirectory),
            isolatesNetwork: network.isolates,
            allowsPrivateNetwork: network.allowPrivateNetwork,
            allowsPrivateDownloads: network.allowsPrivateDownloads,
            consoleCommandsPerSecond: consoleCommandsPerSecond,
            sftpPort: sftp.port,
            sftpHost: host,
            metricsToken: metricsToken
        )
        try await withDaemon(daemonConfiguration) { daemon in
            let panelApplication = panel.application(frontEnd: try WebUI(panel: panel)) { boundPort in
                logger.info("Berth is serving on http://\(host):\(boundPort) (data in \(dataDirectory))")
            }
            try await runUntilSignalled([panelApplication, try daemon.application()], logger: logger)
        }
    }
}
