import BerthHTTP
import DockerEngine
import Foundation

/// How a daemon runs, read once at start by the command line (the only place that reads the
/// environment or the data directory's identity file).
public struct DaemonConfiguration: Sendable {
    /// The address the daemon's API listens on.
    public var host: String
    public var port: Int
    /// Where volumes and the daemon's own state live.
    public var dataDirectory: String
    public var dockerHost: DockerHost
    /// The panel this node reports to, when it has one: its URL, or each replica's. Callbacks go to the
    /// one that answered last, and on to the next when it does not.
    public var panelURLs: [String]
    /// How often the node tells the panel it is alive; the panel counts it offline after its node timeout.
    public var heartbeatInterval: Duration
    /// The secrets shared with the panel: one it presents to us, one we sign our callbacks with.
    public var credentials: NodeCredentials
    /// The TLS identity the API and console sockets are served with. Every daemon the command line runs
    /// has one; only tests of the daemon alone, talking to it directly, go without (plain HTTP).
    public var certificate: NodeCertificate?
    /// Names this node on its Docker engine (a label on every container); kept in the data directory.
    public var nodeID: String
    /// The host address instance ports are published on.
    public var publishAddress: String
    /// The user and group ids instances run as, one of its own for each: never root, never an account of
    /// the node (1000 is the first login user on most machines), and never another tenant's, so a
    /// container escape lands as nobody in particular and no tenant can read another's files.
    public var instanceIDs: Range<UInt32>
    /// Whether instances run fenced in (``TenantNetwork``): on unless the operator runs only trusted code.
    public var isolatesNetwork: Bool
    /// Whether fenced instances and installers may reach private network addresses; off unless the
    /// operator's tenants need a service of the node's own network (a database, say).
    public var allowsPrivateNetwork: Bool
    /// Whether installs may download from private networks (``DownloadCheck``); off unless the operator
    /// keeps game files on a server of the node's own network.
    public var allowsPrivateDownloads: Bool
    /// Messages a console socket may send a second (twice as many at once); more get a notice.
    public var consoleCommandsPerSecond: Int
    /// Console sockets open at once on one instance.
    public var consoleSocketsPerInstance: Int
    /// Crashes within ``crashWindow`` after which an instance is left offline.
    public var crashLimit: Int
    public var crashWindow: Duration
    /// The port the SFTP server listens on (beside the API, on ``host``); nil for none.
    public var sftpPort: Int?
    /// The address SFTP listens on, when not ``host`` (`berth serve` keeps its node's API on loopback but
    /// serves SFTP where its panel is).
    public var sftpHost: String?
    /// What clients not on this machine show (`Authorization: Bearer`) to read `/metrics`; without it,
    /// only this machine may.
    public var metricsToken: String?
    /// The size of the XFS image the node keeps its volumes on, with a project quota for each instance
    /// (``VolumesImage``); nil to use the volumes folder's own file system (with project quotas when it
    /// keeps them, else an image per limited instance).
    public var volumesImageBytes: Int64?

    public init(
        host: String = "0.0.0.0",
        port: Int = 3002,
        dataDirectory: String,
        dockerHost: DockerHost,
        panelURLs: [String] = [],
        heartbeatInterval: Duration = .seconds(10),
        credentials: NodeCredentials,
        certificate: NodeCertificate? = nil,
        nodeID: String,
        publishAddress: String = "0.0.0.0",
        instanceIDs: Range<UInt32> = 200_000..<300_000,
        isolatesNetwork: Bool = true,
        allowsPrivateNetwork: Bool = false,
        allowsPrivateDownloads: Bool = false,
        consoleCommandsPerSecond: Int = 20,
        consoleSocketsPerInstance: Int = 20,
        crashLimit: Int = 3,
        crashWindow: Duration = .seconds(60),
        sftpPort: Int? = nil,
        sftpHost: String? = nil,
        metricsToken: String? = nil,
        volumesImageBytes: Int64? = nil
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.dockerHost = dockerHost
        self.panelURLs = panelURLs
        self.heartbeatInterval = heartbeatInterval
        self.credentials = credentials
        self.certificate = certificate
        self.nodeID = nodeID
        self.publishAddress = publishAddress
        self.instanceIDs = instanceIDs
        self.isolatesNetwork = isolatesNetwork
        self.allowsPrivateNetwork = allowsPrivateNetwork
        self.allowsPrivateDownloads = allowsPrivateDownloads
        self.consoleCommandsPerSecond = consoleCommandsPerSecond
        self.consoleSocketsPerInstance = consoleSocketsPerInstance
        self.crashLimit = crashLimit
        self.crashWindow = crashWindow
        self.sftpPort = sftpPort
        self.sftpHost = sftpHost
        self.metricsToken = metricsToken
        self.volumesImageBytes = volumesImageBytes
    }

    /// The label every container of this node carries, `berth.node=<nodeID>`.
    public var containerLabel: String { "\(ContainerBlueprint.nodeLabel)=\(nodeID)" }

    /// The SFTP server's host key (``SFTPHostKey``).
    public var sftpHostKeyFile: String { (dataDirectory as NSString).appendingPathComponent("sftp_host_ed25519_key") }

    /// Instance volumes live here, one directory per instance.
    public var volumesDirectory: String { (dataDirectory as NSString).appendingPathComponent("volumes") }

    /// Backups live here, one directory per instance, out of every container's and tenant's reach.
    public var backupsDirectory: String { (dataDirectory as NSString).appendingPathComponent("backups") }
}
