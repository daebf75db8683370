import BerthHTTP
import BerthPanel
import Foundation
import Hummingbird

/// The schedules page of an instance: set one up (tasks one per line), change, pause or resume it, run it
/// now, delete it. Each takes the `schedules` permission and is recorded in the audit log.
struct SchedulePages: Sendable {
    let pages: WebPages
    let instances: InstanceStore
    let access: InstanceAccess
    let audit: AuditLog
    private var part: InstancePart { InstancePart(access: access, audit: audit, permission: .schedules, section: "schedules") }

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("instances/:id/schedules") { _, context in
            let (reached, id) = try await part.reach(context)
            let list = ScheduleList(
                instanceID: id,
                instanceName: reached.instance.name,
                schedules: try await instances.schedules.list(id, as: reached.role)
            )
            return pages.render("schedules", title: "Schedules · \(reached.instance.name)", content: list, context: context)
        }
        group.post("instances/:id/schedules") { _, context in
            try await part.change(context) { reached, id in
                let made = try await instances.schedules.create(id, try fields(context), as: reached.role)
                return ("set up schedule \(made.name)", "The schedule \(made.name) is set up.")
            }
        }
        group.post("instances/:id/schedules/:schedule") { _, context in
            try await part.change(context) { reached, id in
                let changed = try await instances.schedules.update(
                    id,
                    schedule: try context.parameters.require("schedule"),
                    try fields(context),
                    as: reached.role
                )
                return ("changed schedule \(changed.name)", "The schedule \(changed.name) is saved.")
            }
        }
        group.post("instances/:id/schedules/:schedule/pause") { _, context in
            try await part.change(context) { reached, id in
                let enabled = context.form.optional("enabled") == "true"
                let changed = try await instances.schedules.update(
                    id,
                    schedule: try context.parameters.require("schedule"),
                    RequestFields(values: ["enabled": .bool(enabled)]),
                    as: reached.role
                )
                return ("\(enabled ? "resumed" : "paused") schedule \(changed.name)", "\(changed.name) is \(enabled ? "resumed" : "paused").")
            }
        }
        group.post("instances/:id/schedules/:schedule/run") { _, context in
            try await part.change(context) { reached, id in
                let asked = try await instances.schedules.requestRun(id, schedule: try context.parameters.require("schedule"), as: reached.role)
                return ("ran schedule \(asked.name)", "\(asked.name) runs within seconds; reload to see how it went.")
            }
        }
        group.post("instances/:id/schedules/:schedule/delete") { _, context in
            try await part.change(context) { reached, id in
                let schedule = try context.parameters.require("schedule")
                try await instances.schedules.delete(id, schedule: schedule, as: reached.role)
                return ("deleted schedule \(schedule)", "The schedule was deleted.")
            }
        }
    }

    /// The form as the API's fields: the task lines become tasks.
    private func fields(_ context: WebRequestContext) throws -> RequestFields {
        RequestFields(values: [
            "name": .string(context.form.raw("name")),
            "cron": .string(context.form.raw("cron")),
            "timeZone": .string(context.form.optional("timeZone") ?? "UTC"),
            "onlyWhenOnline": .bool(context.form.optional("onlyWhenOnline") == "on"),
            "tasks": try ScheduleTaskLines.parse(context.form.raw("tasks")),
        ])
    }
}
