import BerthHTTP
import Foundation
import Hummingbird

/// `/api/v1/instances/{id}/subusers`: who besides its owner reaches an instance, with what permissions.
/// The panel's keys manage any instance's; a key that acts as a user manages where that user holds
/// `subusers`, and grants only what the user holds.
struct SubuserController<Context: PanelRequestContext>: Sendable {
    let instances: InstanceStore
    let subusers: SubuserStore
    let users: UserStore

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("v1/instances/:id/subusers") { _, context in
            try context.grant.require(.read, on: .instances)
            return try await withBerthStatuses {
                let (instanceID, role) = try await reach(context)
                try role.require(.subusers)
                return try JSONResponse.make(try await subusers.list(on: instanceID))
            }
        }
        group.post("v1/instances/:id/subusers") { request, context in
            try context.grant.require(.write, on: .instances)
            return try await withBerthStatuses {
                let (instanceID, role) = try await reach(context)
                let fields = try await RequestFields.read(request, only: ["user", "permissions"])
                guard let instance = try await instances.find(instanceID.uuidString) else { throw PanelError.notFound("no instance with that id") }
                switch try await subusers.add(
                    try fields.string("user"),
                    permissions: try InstancePermission.parse(try fields.strings("permissions")),
                    to: instance,
                    grantedBy: role,
                    inviter: try await inviterName(context)
                ) {
                case .added(let subuser): return try JSONResponse.make(subuser, status: .created)
                case .invited(let invitation): return try JSONResponse.make(invitation, status: .accepted)
                }
            }
        }
        group.patch("v1/instances/:id/subusers/:userId") { request, context in
            try context.grant.require(.write, on: .instances)
            return try await withBerthStatuses {
                let (instanceID, role) = try await reach(context)
                let fields = try await RequestFields.read(request, only: ["permissions"])
                let changed = try await subusers.change(
                    try context.parameters.require("userId"),
                    on: instanceID,
                    to: try InstancePermission.parse(try fields.strings("permissions")),
                    grantedBy: role
                )
                return try JSONResponse.make(changed)
            }
        }
        group.delete("v1/instances/:id/subusers/:userId") { _, context in
            try context.grant.require(.write, on: .instances)
            return try await withBerthStatuses {
                let (instanceID, role) = try await reach(context)
                try await subusers.remove(
                    try context.parameters.require("userId"),
                    from: instanceID,
                    by: role,
                    actingAs: try context.grant.owner?.userID
                )
                return Response(status: .noContent)
            }
        }
    }

    /// The instance's id, and what the key may do there.
    private func reach(_ context: Context) async throws -> (UUID, InstanceRole) {
        let (view, role) = try await context.grant.reach(try context.parameters.require("id"), in: instances, subusers: subusers)
        guard let id = UUID(uuidString: view.id) else { throw PanelError.notFound("no instance with that id") }
        return (id, role)
    }

    /// Who an invitation letter says invites: the key's user, or the panel's administrators for its own keys.
    private func inviterName(_ context: Context) async throws -> String {
        guard let owner = try context.grant.owner else { return "An administrator" }
        return try await users.find(.userID(owner.userID))?.username ?? "An administrator"
    }
}
