import FluentKit
import Foundation

/// A user an instance's owner let in, and what they may do there. One row per instance and user.
final class Subuser: Model, @unchecked Sendable {
    static let schema = "subusers"

    @ID(key: .id) var id: UUID?
    @Parent(key: "instance_id") var instance: Instance
    /// The subuser's Skyport `userId`.
    @Field(key: "user_id") var userID: String
    /// ``InstancePermission`` names, comma-separated.
    @Field(key: "permissions") var permissions: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(instanceID: UUID, userID: String, permissions: Set<InstancePermission>) {
        self.$instance.id = instanceID
        self.userID = userID
        self.permissions = InstancePermission.stored(permissions)
    }
}
