import BerthHTTP
import BerthProtocol
import Hummingbird

/// The daemon's instance routes: create, read, resource and disk use, power, console commands, limits, a new specification, reinstall,
/// suspension, delete.
struct InstanceController<Context: RequestContext>: Sendable {
    let supervisor: InstanceSupervisor

    func addRoutes(to group: RouterGroup<Context>) {
        group.post(RouterPath(DaemonRoutes.instances.pattern)) { request, _ in
            let specification = try await request.decodeJSON(as: InstanceSpecification.self)
            return try JSONResponse.make(try await supervisor.create(specification), status: .accepted)
        }
        group.get(RouterPath(DaemonRoutes.instances.pattern)) { _, _ in
            try JSONResponse.make(await supervisor.allStatuses())
        }
        group.get(RouterPath(DaemonRoutes.usage.pattern)) { _, _ in
            try JSONResponse.make(await supervisor.usage())
        }
        group.get(RouterPath(DaemonRoutes.disks.pattern)) { _, _ in
            try JSONResponse.make(await supervisor.diskUsage())
        }
        group.get(RouterPath(DaemonRoutes.instance.pattern)) { _, context in
            try JSONResponse.make(try await supervisor.status(of: context.parameters.require("id")))
        }
        group.delete(RouterPath(DaemonRoutes.instance.pattern)) { _, context in
            try await supervisor.delete(context.parameters.require("id"))
            return Response(status: .noContent)
        }
        group.post(RouterPath(DaemonRoutes.power.pattern)) { request, context in
            let power = try await request.decodeJSON(as: PowerRequest.self)
            return try JSONResponse.make(try await supervisor.perform(power.action, on: context.parameters.require("id")))
        }
        group.post(RouterPath(DaemonRoutes.command.pattern)) { request, context in
            let command = try await request.decodeJSON(as: CommandRequest.self)
            try await supervisor.sendCommand(command.command, to: context.parameters.require("id"))
            return Response(status: .noContent)
        }
        group.put(RouterPath(DaemonRoutes.limits.pattern)) { request, context in
            let limits = try await request.decodeJSON(as: ResourceLimits.self)
            return try JSONResponse.make(try await supervisor.updateLimits(limits, of: context.parameters.require("id")))
        }
        group.put(RouterPath(DaemonRoutes.specification.pattern)) { request, context in
            let specification = try await request.decodeJSON(as: InstanceSpecification.self)
            return try JSONResponse.make(try await supervisor.reconfigure(context.parameters.require("id"), as: specification))
        }
        group.post(RouterPath(DaemonRoutes.reinstall.pattern)) { request, context in
            // An empty body, from a panel that knows no options: the files stay.
            let body = try await request.collectBody()
            let options = body.isEmpty ? ReinstallRequest(wipe: false) : try Request.decodeJSON(as: ReinstallRequest.self, from: body)
            let status = try await supervisor.reinstall(context.parameters.require("id"), wipingFiles: options.wipe ?? false)
            return try JSONResponse.make(status, status: .accepted)
        }
        group.post(RouterPath(DaemonRoutes.suspension.pattern)) { request, context in
            let suspension = try await request.decodeJSON(as: SuspensionRequest.self)
            return try JSONResponse.make(
                try await supervisor.setSuspended(suspension.suspended, context.parameters.require("id"))
            )
        }
    }
}
