import FluentKit
import Foundation

/// An instance the panel wants to exist, and what its node last said about it.
package final class Instance: Model, @unchecked Sendable {
    package static let schema = "instances"

    @ID(key: .id) package var id: UUID?
    @Field(key: "name") package var name: String
    @Parent(key: "node_id") package var node: Node
    /// The owner's Skyport `userId`.
    @Field(key: "owner_user_id") package var ownerUserID: String
    @Parent(key: "image_id") package var image: Image
    @Field(key: "docker_image") package var dockerImage: String
    /// MiB.
    @Field(key: "memory") var memory: Int
    /// Cores.
    @Field(key: "cpu") var cpu: Double
    /// MiB, when the deploy named one.
    @OptionalField(key: "disk") var disk: Int?
    /// Most processes and threads at once.
    @Field(key: "processes") package var processes: Int
    /// The admin's startup line for this instance; nil runs the image's.
    @OptionalField(key: "startup") package var startup: String?
    /// How many ports the owner may add beyond those of the deploy.
    @Field(key: "extra_port_limit") package var extraPortLimit: Int
    /// How many backups the instance may keep on its node (failed ones do not count).
    @Field(key: "backup_limit") package var backupLimit: Int
    /// MiB all of the instance's kept backups may take together; 0 is no limit.
    @Field(key: "backup_size_limit") package var backupSizeLimit: Int
    /// The owner accepted the game's EULA, which an image with the `eula` feature asks before the first start.
    @Field(key: "eula_accepted") package var eulaAccepted: Bool
    /// One more with each change of the settings: the node keeps the newest (``InstanceSpecification/revision``).
    @Field(key: "settings_revision") var settingsRevision: Int
    /// `[PortMapping]` as JSON.
    @Field(key: "ports") package var ports: String
    @Field(key: "primary_port") var primaryPort: Int
    /// `[String: String]` as JSON.
    @Field(key: "variables") var variables: String
    @Field(key: "install_state") package var installState: String
    @Field(key: "power_state") package var powerState: String
    @OptionalField(key: "reason") package var reason: String?
    @OptionalField(key: "container_id") var containerID: String?
    @Field(key: "suspended") package var suspended: Bool
    /// Set while the node has not yet confirmed a deletion.
    @Field(key: "deleting") package var deleting: Bool
    /// The last event sequence taken from the node, so a repeated delivery is not applied twice.
    @Field(key: "event_sequence") var eventSequence: Int
    /// The panel process (``GrantEpochWatcher/process``) deploying it, until its node has taken it.
    @OptionalField(key: "deploying_process") var deployingProcess: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    package init() {}
}

/// A host port of a node, held by one instance. Unique per node, so two instances can never share one.
final class Allocation: Model, @unchecked Sendable {
    static let schema = "allocations"

    @ID(key: .id) var id: UUID?
    @Parent(key: "node_id") var node: Node
    @Field(key: "port") var port: Int
    @Parent(key: "instance_id") var instance: Instance
    /// Added by the instance's owner after the deploy (within its extra port limit); only these they remove.
    @Field(key: "extra") var extra: Bool

    init() {}

    init(nodeID: UUID, port: Int, instanceID: UUID, extra: Bool = false) {
        self.$node.id = nodeID
        self.port = port
        self.$instance.id = instanceID
        self.extra = extra
    }
}
