import BerthHTTP
import BerthProtocol
import Foundation
import Hummingbird

/// The reference's instance routes (list, deploy, delete, per user, one, suspend and unsuspend) and
/// Berth's change and power routes. A key that acts as a user reaches only the instances that user owns or
/// is a subuser of, does there what the user may, and may not deploy, delete or suspend: those are the
/// operator's.
struct InstanceController<Context: PanelRequestContext>: Sendable {
    let instances: InstanceStore
    let subusers: SubuserStore
    let users: UserStore
    /// The whole list, written once for as long as it does not change.
    let lists: ListCache

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("instances") { _, context in
            let grant = try context.grant
            try grant.require(.read, on: .instances)
            // The whole list from its copy while it has not changed; a user's own, streamed. Either way a
            // dashboard listing ten thousand instances does not make the panel hold them once per request.
            guard let userID = grant.onlyUserID else {
                return try await lists.response(for: .instances) { sink in
                    let (first, rest) = try await instances.allPaged().splittingFirst()
                    try await JSONArrayWriting(first: first, rest: rest).write(to: sink)
                }
            }
            let (first, rest) = try await instances.reachablePaged(by: userID).splittingFirst()
            return JSONResponse.streamedArray(first, then: rest)
        }
        group.post("instances/deploy") { request, context in
            try context.grant.require(.write, on: .instances)
            try context.grant.requireOperator("deploy instances")
            let deploy = try DeployRequest(try await RequestFields.read(request))
            let id = try await instances.deploy(deploy)
            return try JSONResponse.make(
                ["message": "the instance is installing; its state follows in getInstance", "Id": id, "volumeId": id, "state": "INSTALLING"],
                status: .created
            )
        }
        group.delete("instance/delete") { request, context in
            try context.grant.require(.write, on: .instances)
            try context.grant.requireOperator("delete instances")
            let id = try await RequestFields.read(request).string("id")
            switch try await instances.delete(id) {
            case .deleted:
                return try JSONResponse.make(["message": "the instance has been deleted"], status: .created)
            case .pending(let reason):
                return try JSONResponse.make(
                    ["message": "\(reason); the instance is marked deleting and will be deleted when its node answers", "state": "DELETING"],
                    status: .accepted
                )
            }
        }
        group.post("getUserInstance") { request, context in
            let grant = try context.grant
            try grant.require(.read, on: .instances)
            let userID = try await RequestFields.read(request).string("userId")
            if let only = grant.onlyUserID, only != userID {
                throw APIError(.forbidden, "the API key \(grant.name) acts as a user and sees only that user's instances")
            }
            guard let owned = try await instances.ownedJSON(byExisting: userID, in: users) else {
                throw PanelError.notFound("no user with that userId")
            }
            return JSONResponse.make(written: owned)
        }
        group.post("getInstance") { request, context in
            try context.grant.require(.read, on: .instances)
            let id = try await RequestFields.read(request).string("id")
            return JSONResponse.make(written: try await context.grant.reachCopy(id, in: instances, subusers: subusers).copy.json)
        }
        group.post("instances/suspend/:id") { _, context in
            try context.grant.require(.write, on: .instances)
            try context.grant.requireOperator("suspend instances")
            return try JSONResponse.make(try await instances.setSuspended(true, context.parameters.require("id")))
        }
        group.post("instances/unsuspend/:id") { _, context in
            try context.grant.require(.write, on: .instances)
            try context.grant.requireOperator("unsuspend instances")
            return try JSONResponse.make(try await instances.setSuspended(false, context.parameters.require("id")))
        }
        group.patch("v1/instances/:id") { request, context in
            let grant = try context.grant
            try grant.require(.write, on: .instances)
            return try await withBerthStatuses {
                let id = try context.parameters.require("id")
                let role = try await grant.reach(id, in: instances, subusers: subusers).role
                let changes = try InstanceChanges(try await RequestFields.read(request, requiringBody: true))
                if changes.needsOperator { try grant.requireOperator("change an instance's limits, startup line, port allowance or owner") }
                try role.require(.settings)
                return try JSONResponse.make(try await instances.change(id, changes, as: role))
            }
        }
        group.post("v1/instances/:id/reinstall") { request, context in
            try context.grant.require(.write, on: .instances)
            return try await withBerthStatuses {
                let id = try context.parameters.require("id")
                let role = try await context.grant.reach(id, in: instances, subusers: subusers).role
                let fields = try await RequestFields.read(request, only: ["wipe"])
                let wipe = try fields.optionalBool("wipe") ?? false
                try role.require(.settings)
                let status = try await instances.reinstall(id, wipingFiles: wipe)
                return try JSONResponse.make(ReinstallAnswer(id: id, internalState: status.installState.rawValue, wipe: wipe), status: .accepted)
            }
        }
        group.post("v1/instances/:id/eula") { _, context in
            try context.grant.require(.write, on: .instances)
            return try await withBerthStatuses {
                let id = try context.parameters.require("id")
                try await context.grant.reach(id, in: instances, subusers: subusers).role.require(.settings)
                return try JSONResponse.make(try await instances.acceptEULA(id))
            }
        }
        group.post("v1/instances/:id/ports") { _, context in
            try context.grant.require(.write, on: .instances)
            return try await withBerthStatuses {
                let id = try context.parameters.require("id")
                try await context.grant.reach(id, in: instances, subusers: subusers).role.require(.settings)
                return try JSONResponse.make(try await instances.addPort(to: id).instance, status: .created)
            }
        }
        group.delete("v1/instances/:id/ports/:port") { _, context in
            try context.grant.require(.write, on: .instances)
            return try await withBerthStatuses {
                let id = try context.parameters.require("id")
                guard let port = Int(try context.parameters.require("port")), (1...65535).contains(port) else {
                    throw PanelError.invalid("port must be a whole number from 1 to 65535")
                }
                try await context.grant.reach(id, in: instances, subusers: subusers).role.require(.settings)
                return try JSONResponse.make(try await instances.removePort(port, from: id))
            }
        }
        group.post("v1/instances/:id/transfer") { request, context in
            try context.grant.require(.write, on: .instances)
            try context.grant.requireOperator("move instances between nodes")
            return try await withBerthStatuses {
                let id = try context.parameters.require("id")
                _ = try await context.grant.reach(id, in: instances, subusers: subusers)
                let fields = try await RequestFields.read(request)
                let node = try fields.string("node")
                let mode = try fields.optionalString("mode") ?? "offline"
                guard ["offline", "live"].contains(mode) else { throw PanelError.invalid("mode must be offline or live") }
                return try JSONResponse.make(try await instances.transfer(id, to: node, live: mode == "live"), status: .accepted)
            }
        }
        group.get("v1/instances/:id/transfers") { _, context in
            try context.grant.require(.read, on: .instances)
            try context.grant.requireOperator("see instances' moves between nodes")
            return try await withBerthStatuses {
                let id = try context.parameters.require("id")
                _ = try await context.grant.reach(id, in: instances, subusers: subusers)
                return try JSONResponse.make(try await instances.transfers(of: id))
            }
        }
        group.post("v1/instances/:id/power") { request, context in
            try context.grant.require(.write, on: .instances)
            return try await withBerthStatuses {
                let id = try context.parameters.require("id")
                let role = try await context.grant.reach(id, in: instances, subusers: subusers).role
                let action = try await RequestFields.read(request).string("action")
                guard let power = PowerAction(rawValue: action) else {
                    throw PanelError.invalid("action must be one of \(PowerAction.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                try role.require(.power(power))
                let status = try await instances.power(power, id)
                return try JSONResponse.make(["id": id, "action": action, "powerState": status.powerState.rawValue], status: .accepted)
            }
        }
    }
}

/// The answer to `POST /api/v1/instances/{id}/reinstall`: the install has begun.
private struct ReinstallAnswer: Encodable {
    let id: String
    let internalState: String
    let wipe: Bool
}
