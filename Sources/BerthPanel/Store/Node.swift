import BerthHTTP
import FluentKit
import Foundation

/// A machine that runs a daemon and hosts instances.
package final class Node: Model, @unchecked Sendable {
    package static let schema = "nodes"

    @ID(key: .id) package var id: UUID?
    @Field(key: "name") package var name: String
    @Field(key: "tags") var tags: String
    /// MiB the node offers to instances.
    @Field(key: "ram") package var ram: Int
    /// MiB of disk the node offers to instances.
    @Field(key: "disk") var disk: Int
    /// The seed's free-text processor specification ("AMD EPYC 7543"), kept as given.
    @Field(key: "processor_label") package var processor: String
    /// The cores the node's daemon reports in its heartbeats; nil until the first one, and until then the
    /// node takes no deploys.
    @OptionalField(key: "cores") package var cores: Double?
    /// ``PortRanges`` in their canonical text.
    @Field(key: "port_ranges") var portRangesText: String
    @Field(key: "memory_overallocation") var memoryOverallocation: Int
    @Field(key: "cpu_overallocation") var cpuOverallocation: Int
    @Field(key: "maintenance") var maintenance: Bool
    /// MiB of disk limit given to deploys that name none; nil for none.
    @OptionalField(key: "default_disk") var defaultDisk: Int?
    @Field(key: "address") package var address: String
    @Field(key: "port") var port: Int
    /// The secret the panel presents to the daemon on every request (``NodeCredentials/toNode``), so it is
    /// kept whole, sealed by the panel key (``SecretBox``). It never leaves the panel in any answer.
    @Field(key: "token") var sealedToken: String
    /// The key the daemon signs its callbacks with (``NodeCredentials/toPanel``), kept whole to check them,
    /// sealed like the token.
    @Field(key: "callback_key") var sealedCallbackKey: String
    /// Digest of ``callbackKey``: the key id a signed callback names, found by an index.
    @Field(key: "token_digest") var tokenDigest: String
    /// The TLS certificate pinned for the node (PEM), from its first signed heartbeat; until there is one
    /// the panel sends the node nothing.
    @OptionalField(key: "certificate") package var certificate: String?
    /// A different certificate the node has presented since, refused until an admin accepts it.
    @OptionalField(key: "offered_certificate") package var offeredCertificate: String?
    @OptionalField(key: "last_seen_at") var lastSeenAt: Date?
    /// Whether webhooks were told the node went offline (``NodeWatcher``).
    @Field(key: "reported_offline") var reportedOffline: Bool
    @OptionalField(key: "daemon_version") var daemonVersion: String?
    /// The node's SFTP port and host key fingerprint, from its heartbeats; nil when it serves none.
    @OptionalField(key: "sftp_port") package var sftpPort: Int?
    @OptionalField(key: "sftp_fingerprint") package var sftpFingerprint: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    package init() {}

    init(
        name: String,
        tags: String,
        ram: Int,
        disk: Int,
        processor: String,
        address: String,
        port: Int,
        policy: NodeAllocationPolicy,
        credentials: NodeCredentials,
        sealedBy box: SecretBox
    ) throws {
        self.name = name
        self.tags = tags
        self.ram = ram
        self.disk = disk
        self.processor = processor
        self.allocationPolicy = policy
        self.address = address
        self.port = port
        self.sealedToken = try box.seal(credentials.toNode, for: Self.tokenColumn)
        self.sealedCallbackKey = try box.seal(credentials.toPanel, for: Self.callbackKeyColumn)
        self.tokenDigest = Secrets.digest(credentials.toPanel)
        self.reportedOffline = false
    }

    /// How the node hands itself out.
    package var allocationPolicy: NodeAllocationPolicy {
        get {
            NodeAllocationPolicy(
                portRanges: PortRanges(stored: portRangesText),
                memoryOverallocation: memoryOverallocation,
                cpuOverallocation: cpuOverallocation,
                maintenance: maintenance,
                defaultDiskMiB: defaultDisk
            )
        }
        set {
            portRangesText = newValue.portRanges.description
            memoryOverallocation = newValue.memoryOverallocation
            cpuOverallocation = newValue.cpuOverallocation
            maintenance = newValue.maintenance
            defaultDisk = newValue.defaultDiskMiB
        }
    }

    static let tokenColumn = "nodes.token"
    static let callbackKeyColumn = "nodes.callback_key"

    /// The secret the panel presents to the node.
    package func token(openedWith box: SecretBox) throws -> String {
        try box.open(sealedToken, of: Self.tokenColumn)
    }

    /// The key the node's callbacks are signed with.
    func callbackKey(openedWith box: SecretBox) throws -> String {
        try box.open(sealedCallbackKey, of: Self.callbackKeyColumn)
    }

    /// The certificate the panel trusts at the node's address, if it has one.
    var pinnedCertificate: PinnedCertificate? {
        certificate.flatMap { try? PinnedCertificate(pem: $0) }
    }
}
