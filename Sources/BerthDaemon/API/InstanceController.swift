import BerthProtocol
import BerthHTTP
import Hummingbird

/// The daemon's instance routes: create, read, power, console commands, limits, reinstall, suspension, delete.
struct InstanceController<Context: RequestContext>: Sendable {
    let supervisor: InstanceSupervisor

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("instances") { request, _ in
            let specification = try await request.decodeJSON(as: InstanceSpecification.self)
            return try JSONResponse.make(try await supervisor.create(specification), status: .accepted)
        }
        group.get("instances") { _, _ in
            try JSONResponse.make(await supervisor.allStatuses())
        }
        group.get("instances/:id") { _, context in
            try JSONResponse.make(try await supervisor.status(of: context.parameters.require("id")))
        }
        group.delete("instances/:id") { _, context in
            try await supervisor.delete(context.parameters.require("id"))
            return Response(status: .noContent)
        }
        group.post("instances/:id/power") { request, context in
            let power = try await request.decodeJSON(as: PowerRequest.self)
            return try JSONResponse.make(try await supervisor.perform(power.action, on: context.parameters.require("id")))
        }
        group.post("instances/:id/command") { request, context in
            let command = try await request.decodeJSON(as: CommandRequest.self)
            try await supervisor.sendCommand(command.command, to: context.parameters.require("id"))
            return Response(status: .noContent)
        }
        group.put("instances/:id/limits") { request, context in
            let limits = try await request.decodeJSON(as: ResourceLimits.self)
            return try JSONResponse.make(try await supervisor.updateLimits(limits, of: context.parameters.require("id")))
        }
        group.post("instances/:id/reinstall") { _, context in
            try JSONResponse.make(try await supervisor.reinstall(context.parameters.require("id")), status: .accepted)
        }
        group.post("instances/:id/suspension") { request, context in
            let suspension = try await request.decodeJSON(as: SuspensionRequest.self)
            return try JSONResponse.make(try await supervisor.setSuspended(suspension.suspended, context.parameters.require("id")))
        }
    }
}
