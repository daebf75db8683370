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
    /// Cores the node offers to instances.
    @Field(key: "processor") package var processor: Double
    @Field(key: "address") package var address: String
    @Field(key: "port") var port: Int
    /// The secret the panel presents to the daemon on every request (``NodeCredentials/toNode``), so it is
    /// kept whole. It never leaves the panel in any answer.
    @Field(key: "token") package var token: String
    /// The key the daemon signs its callbacks with (``NodeCredentials/toPanel``); kept whole to check them.
    @Field(key: "callback_key") var callbackKey: String
    /// Digest of ``callbackKey``: the key id a signed callback names, found by an index.
    @Field(key: "token_digest") var tokenDigest: String
    /// The TLS certificate pinned for the node (PEM), from its first signed heartbeat; until there is one
    /// the panel sends the node nothing.
    @OptionalField(key: "certificate") package var certificate: String?
    /// A different certificate the node has presented since, refused until an admin accepts it.
    @OptionalField(key: "offered_certificate") package var offeredCertificate: String?
    @OptionalField(key: "last_seen_at") var lastSeenAt: Date?
    @OptionalField(key: "daemon_version") var daemonVersion: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    package init() {}

    init(name: String, tags: String, ram: Int, disk: Int, processor: Double, address: String, port: Int, credentials: NodeCredentials) {
        self.name = name
        self.tags = tags
        self.ram = ram
        self.disk = disk
        self.processor = processor
        self.address = address
        self.port = port
        self.token = credentials.toNode
        self.callbackKey = credentials.toPanel
        self.tokenDigest = Secrets.digest(credentials.toPanel)
    }

    /// The certificate the panel trusts at the node's address, if it has one.
    var pinnedCertificate: PinnedCertificate? {
        certificate.flatMap { try? PinnedCertificate(pem: $0) }
    }
}
