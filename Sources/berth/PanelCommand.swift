import ArgumentParser
import BerthNodeCommand
import BerthPanel
import BerthWeb
import Foundation
import Logging

/// `berth panel`: the control plane alone, for nodes that run their daemons elsewhere.
struct PanelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "panel", abstract: "Run the panel alone.")

    @OptionGroup var location: DataOptions

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 3001

    @Option(help: "The panel's URL as daemons reach it (default: http://HOST:PORT).")
    var publicURL: String?

    @Flag(help: "Let admins create nodes at loopback addresses (nodes on this machine, as the benchmarks run them).")
    var allowLoopbackNodes = false

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

    @Option(help: "Seconds without a heartbeat after which a node counts as offline (its daemons' --heartbeat-interval is 10).")
    var nodeTimeout = 30.0

    func validate() throws {
        guard (1...86400).contains(nodeTimeout) else { throw ValidationError("--node-timeout must be 1-86400 seconds") }
    }

    func run() async throws {
        logging.bootstrap()
        let logger = Logger(label: "berth")
        let environment = BerthEnvironment.read()
        let panel = try await Panel.open(
            PanelConfiguration(
                host: host,
                port: port,
                dataDirectory: location.directory(in: environment.node),
                databaseURL: environment.databaseURL,
                publicURL: publicURL,
                failedAuthenticationLimit: failedAuthenticationLimit,
                trustedProxies: proxies.trustedProxies,
                allowsLoopbackNodes: allowLoopbackNodes,
                allowsLowHostPorts: allowLowPorts,
                allowsPrivateWebhooks: allowPrivateWebhooks,
                backupBucket: try backupStorage.bucket(secret: environment.s3SecretAccessKey),
                mail: try mail.settings(password: environment.smtpPassword),
                benchCeiling: environment.benchCeiling,
                metricsToken: try metrics.token(),
                nodeTimeout: nodeTimeout
            )
        )
        if let admin = try await panel.prepareFirstStart() {
            print("Sign in as admin with this password (shown once; also in \(admin.passwordFile)):\n    \(admin.adminPassword)")
        }
        let application = panel.application(frontEnd: try WebUI(panel: panel)) { boundPort in
            logger.info("the panel is serving on http://\(host):\(boundPort)")
        }
        try await runUntilSignalled([application], logger: logger)
    }
}
