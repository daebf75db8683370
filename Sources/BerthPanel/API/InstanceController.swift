import BerthHTTP
import Foundation
import Hummingbird

/// The reference's instance routes: list, deploy, delete, per user, one, suspend and unsuspend.
struct InstanceController<Context: PanelRequestContext>: Sendable {
    let instances: InstanceStore
    let users: UserStore

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("instances") { _, _ in
            try JSONResponse.make(try await instances.all())
        }
        group.post("instances/deploy") { request, _ in
            let deploy = try DeployRequest(try await RequestFields.read(request))
            let id = try await instances.deploy(deploy)
            return try JSONResponse.make(
                ["message": "the instance is installing; its state follows in getInstance", "Id": id, "volumeId": id, "state": "INSTALLING"],
                status: .created
            )
        }
        group.delete("instance/delete") { request, _ in
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
        group.post("getUserInstance") { request, _ in
            let userID = try await RequestFields.read(request).string("userId")
            guard try await users.find(.userID(userID)) != nil else { throw PanelError.notFound("no user with that userId") }
            return try JSONResponse.make(try await instances.owned(by: userID))
        }
        group.post("getInstance") { request, _ in
            let id = try await RequestFields.read(request).string("id")
            guard let instance = try await instances.view(id) else { throw PanelError.notFound("no instance with that id") }
            return try JSONResponse.make(instance)
        }
        group.post("instances/suspend/:id") { _, context in
            try JSONResponse.make(try await instances.setSuspended(true, context.parameters.require("id")))
        }
        group.post("instances/unsuspend/:id") { _, context in
            try JSONResponse.make(try await instances.setSuspended(false, context.parameters.require("id")))
        }
    }
}
