import BerthHTTP
import Foundation
import Hummingbird

/// An instance's schedules under `/api/v1/instances/{id}/schedules`: list, create, change, delete and run
/// now. Every route needs the `schedules` permission, and setting up tasks needs what they do.
struct ScheduleController<Context: PanelRequestContext>: Sendable {
    let instances: InstanceStore
    let subusers: SubuserStore

    func addRoutes(to group: RouterGroup<Context>) {
        let schedules = group.group("v1/instances/:id/schedules")
        let routeGuard = InstanceRouteGuard<Context>(instances: instances, subusers: subusers)
        schedules.get { _, context in
            try await routeGuard.answering(context, needs: .read) { id, role in
                try JSONResponse.make(try await instances.schedules.list(id, as: role))
            }
        }
        schedules.post { request, context in
            try await routeGuard.answering(context, needs: .write) { id, role in
                let fields = try await RequestFields.read(request, requiringBody: true)
                return try JSONResponse.make(try await instances.schedules.create(id, fields, as: role), status: .created)
            }
        }
        schedules.patch(":schedule") { request, context in
            try await routeGuard.answering(context, needs: .write) { id, role in
                let fields = try await RequestFields.read(request, requiringBody: true)
                let schedule = try context.parameters.require("schedule")
                return try JSONResponse.make(try await instances.schedules.update(id, schedule: schedule, fields, as: role))
            }
        }
        schedules.delete(":schedule") { _, context in
            try await routeGuard.answering(context, needs: .write) { id, role in
                try await instances.schedules.delete(id, schedule: try context.parameters.require("schedule"), as: role)
                return Response(status: .noContent)
            }
        }
        schedules.post(":schedule/run") { request, context in
            try await routeGuard.answering(context, needs: .write) { id, role in
                _ = try await RequestFields.read(request, only: [])
                let schedule = try await instances.schedules.requestRun(id, schedule: try context.parameters.require("schedule"), as: role)
                return try JSONResponse.make(schedule, status: .accepted)
            }
        }
    }
}
