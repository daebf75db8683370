import BerthHTTP
import Foundation
import ObjectStorage

/// How the panel runs, read once at start.
public struct PanelConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var dataDirectory: String
    /// `postgres://...` to use PostgreSQL; SQLite in the data directory when nil.
    public var databaseURL: String?
    /// The panel's address as daemons reach it, for their configuration command.
    public var publicURL: String
    /// Image JSON files imported at first start.
    public var imagesDirectory: String?
    /// Failed authentications one client address may make before it must wait (429, a wait that grows).
    public var failedAuthenticationLimit: Int
    /// Reverse proxies whose `X-Forwarded-For` names the client for throttling and the audit log.
    public var trustedProxies: TrustedProxies
    /// Whether nodes may be created at loopback addresses: off by default, since a node is a machine of
    /// its own and a loopback address makes the panel call itself (`berth serve` registers its local node
    /// without this).
    public var allowsLoopbackNodes: Bool
    /// Whether instances may publish host ports below 1024: off by default, since that is where a node's
    /// own services (SSH, a web server, DNS) listen.
    public var allowsLowHostPorts: Bool
    /// Whether webhooks may go to private networks (10/8, 192.168/16, …) and this machine: off by default,
    /// since a webhook's URL is chosen by an instance's owner, and the panel's network is the operator's.
    public var allowsPrivateWebhooks: Bool
    /// Where backups are kept: in this S3-compatible bucket, or on their instances' nodes when nil.
    public var backupBucket: S3Bucket?
    /// The mail server the panel sends with until an admin saves other settings on the Mail page.
    public var mail: MailSettings?
    /// Serves the benchmarks' reference route (`scripts/bench` turns it on with ``benchCeilingVariable``).
    public var benchCeiling: Bool
    /// What clients not on this machine show (`Authorization: Bearer`) to read `/metrics`; without it,
    /// only this machine may.
    public var metricsToken: String?
    /// Seconds without a heartbeat after which a node counts as offline.
    public var nodeTimeout: TimeInterval

    /// The environment variable the command line reads for ``databaseURL``.
    public static let databaseURLVariable = "BERTH_DATABASE_URL"
    /// The environment variable the command line reads for ``benchCeiling`` (`1` turns it on).
    public static let benchCeilingVariable = "BERTH_BENCH_CEILING"

    public init(
        host: String = "127.0.0.1",
        port: Int = 3001,
        dataDirectory: String,
        databaseURL: String? = nil,
        publicURL: String? = nil,
        imagesDirectory: String? = nil,
        failedAuthenticationLimit: Int = 10,
        trustedProxies: TrustedProxies = TrustedProxies(),
        allowsLoopbackNodes: Bool = false,
        allowsLowHostPorts: Bool = false,
        allowsPrivateWebhooks: Bool = false,
        backupBucket: S3Bucket? = nil,
        mail: MailSettings? = nil,
        benchCeiling: Bool = false,
        metricsToken: String? = nil,
        nodeTimeout: TimeInterval = 30
    ) {
        self.mail = mail
        self.backupBucket = backupBucket
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL.flatMap { $0.isEmpty ? nil : $0 }
        self.publicURL = publicURL ?? "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)"
        self.imagesDirectory = imagesDirectory
        self.failedAuthenticationLimit = failedAuthenticationLimit
        self.trustedProxies = trustedProxies
        self.allowsLoopbackNodes = allowsLoopbackNodes
        self.allowsLowHostPorts = allowsLowHostPorts
        self.allowsPrivateWebhooks = allowsPrivateWebhooks
        self.benchCeiling = benchCeiling
        self.metricsToken = metricsToken
        self.nodeTimeout = nodeTimeout
    }

    /// Where the first start writes the admin's password, until the admin changes it.
    var initialPasswordFile: String { (dataDirectory as NSString).appendingPathComponent("admin-password.txt") }

    /// The panel's secret key (see ``PanelKey``); panel processes sharing a database need the same file.
    var keyFile: String { (dataDirectory as NSString).appendingPathComponent("panel.key") }

    var databaseLocation: PanelDatabase.Location {
        if let databaseURL { return .postgres(url: databaseURL) }
        return .sqlite(path: (dataDirectory as NSString).appendingPathComponent("berth.sqlite"))
    }
}
