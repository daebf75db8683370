import BerthHTTP
import Foundation
import Hummingbird

/// Webhooks under `/api/v1/webhooks`: an admin's hear of every instance, an owner's (made with `instance`,
/// with the `settings` permission there) of one. List, make (the secret is shown once), delete, and see
/// and redeliver the deliveries.
struct WebhookController<Context: PanelRequestContext>: Sendable {
    let webhooks: WebhookStore
    let instances: InstanceStore
    let subusers: SubuserStore

    func addRoutes(to group: RouterGroup<Context>) {
        let hooks = group.group("v1/webhooks")
        hooks.get { _, context in
            try context.grant.require(.read, on: .instances)
            return try await withBerthStatuses {
                guard let userID = try context.grant.onlyUserID else {
                    return try JSONResponse.make(try await webhooks.list(instances: nil, everyInstance: true))
                }
                var reachable: [UUID] = []
                for view in try await instances.reachable(by: userID) {
                    if let role = try? await context.grant.reach(view.id, in: instances, subusers: subusers).role, role.may(.settings),
                        let uuid = UUID(uuidString: view.id)
                    {
                        reachable.append(uuid)
                    }
                }
                return try JSONResponse.make(try await webhooks.list(instances: reachable, everyInstance: false))
            }
        }
        hooks.post { request, context in
            try context.grant.require(.write, on: .instances)
            return try await withBerthStatuses {
                let fields = try await RequestFields.read(request, only: ["url", "events", "format", "instance"])
                var instance: UUID?
                if let id = try fields.optionalString("instance") {
                    try await context.grant.reach(id, in: instances, subusers: subusers).role.require(.settings)
                    instance = UUID(uuidString: id)
                } else {
                    try context.grant.requireOperator("set up webhooks for every instance; name an instance")
                }
                let made = try await webhooks.create(
                    url: try fields.exactString("url"),
                    events: try fields.strings("events"),
                    format: try fields.optionalString("format"),
                    instance: instance
                )
                return try JSONResponse.make(made, status: .created)
            }
        }
        hooks.delete(":webhook") { _, context in
            try context.grant.require(.write, on: .instances)
            return try await withBerthStatuses {
                try await webhooks.delete(try await authorized(context))
                return Response(status: .noContent)
            }
        }
        hooks.get(":webhook/deliveries") { _, context in
            try context.grant.require(.read, on: .instances)
            return try await withBerthStatuses {
                try JSONResponse.make(try await webhooks.deliveries(of: try await authorized(context)))
            }
        }
        hooks.post(":webhook/deliveries/:delivery/redeliver") { _, context in
            try context.grant.require(.write, on: .instances)
            return try await withBerthStatuses {
                let hook = try await authorized(context)
                return try JSONResponse.make(try await webhooks.redeliver(try context.parameters.require("delivery"), of: hook), status: .accepted)
            }
        }
    }

    /// The webhook, when the key may manage it: an admin's any, a user's those of instances where they
    /// hold `settings`. Others are not found.
    private func authorized(_ context: Context) async throws -> Webhook {
        let hook = try await webhooks.find(try context.parameters.require("webhook"))
        guard let instance = hook.instanceID else {
            guard try context.grant.onlyUserID == nil else { throw PanelError.notFound("no webhook with that id") }
            return hook
        }
        guard let role = try? await context.grant.reach(instance.uuidString, in: instances, subusers: subusers).role else {
            throw PanelError.notFound("no webhook with that id")
        }
        try role.require(.settings)
        return hook
    }
}
