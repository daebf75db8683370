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
    /// The daemon's token: the panel presents it on every request to the daemon, so it is kept whole.
    /// It never leaves the panel in any answer.
    @Field(key: "token") package var token: String
    /// Digest of the token, for checking the daemon's callbacks.
    @Field(key: "token_digest") var tokenDigest: String
    @OptionalField(key: "last_seen_at") var lastSeenAt: Date?
    @OptionalField(key: "daemon_version") var daemonVersion: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    package init() {}

    init(name: String, tags: String, ram: Int, disk: Int, processor: Double, address: String, port: Int, token: String, tokenDigest: String) {
        self.name = name
        self.tags = tags
        self.ram = ram
        self.disk = disk
        self.processor = processor
        self.address = address
        self.port = port
        self.token = token
        self.tokenDigest = tokenDigest
    }
}
