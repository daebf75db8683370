import BerthHTTP
import BerthPanel
import BerthProtocol
import Foundation
import Hummingbird

/// The signed-in user's pages about instances: the dashboard (their own and those shared with them), one
/// instance as far as they may see it, its state for polling, and its settings (a new name; for an admin,
/// new limits).
struct InstancePages: Sendable {
    let pages: WebPages
    let instances: InstanceStore
    let subusers: SubuserStore
    let invitations: Invitations
    let access: InstanceAccess
    let audit: AuditLog

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("/") { _, context in
            let user = try context.signedInUser()
            let rows = try await instances.owned(by: user.userID).map(InstanceSummary.init)
            let shared = try await instances.shared(with: user.userID).map(InstanceSummary.init)
            return pages.render(
                "dashboard",
                title: "Your instances",
                content: [
                    "instances": rows, "hasInstances": !rows.isEmpty, "shared": shared, "hasShared": !shared.isEmpty, "isAdmin": user.admin,
                    "hasAny": !rows.isEmpty || !shared.isEmpty,
                ] as [String: Any],
                context: context,
                scripts: ["instance-lists.js"]
            )
        }
        group.get("instances/:id") { _, context in
            let user = try context.signedInUser()
            let reached = try await access.instance(try context.parameters.require("id"), for: user)
            let managesSubusers = reached.role.may(.subusers)
            let instanceID = try reached.instance.requireID()
            let shares = managesSubusers ? try await subusers.list(on: instanceID) : []
            let invited = managesSubusers ? try await invitations.pending(on: instanceID) : []
            let activity = reached.role.may(.settings) ? try await audit.latest(InstanceDetails.activityShown, on: instanceID) : []
            // Only to show a backup being made: the page of an instance being deleted still shows without them.
            let backups = reached.role.may(.backups) ? (try? await instances.backups.list(instanceID.uuidString, as: reached.role)) ?? [] : []
            return pages.render(
                "instance",
                title: reached.instance.name,
                content: InstanceDetails(
                    reached,
                    for: user,
                    subusers: shares,
                    invitations: invited,
                    activity: activity,
                    extraPorts: try await instances.extraPorts(of: instanceID),
                    backups: backups
                ),
                context: context,
                scripts: ["terminal.js", "resource-charts.js", "console.js"]
            )
        }
        group.post("instances/:id/settings") { _, context in
            try await changeSettings(context) { reached, id in
                let user = try context.signedInUser()
                let fields = try Self.settingsFields(context.form, admin: user.admin, current: reached.instance)
                guard !fields.isEmpty else { return (nil, "Nothing was changed.") }
                let changes = try InstanceChanges(RequestFields(values: fields))
                let changed = try await instances.change(id, changes, as: reached.role)
                let later = changes.variables != nil || changes.dockerImage != nil || changes.startup != nil
                return (
                    "changed instance settings: \(Self.describe(changes))",
                    "The settings of \(changed.name) are saved.\(later ? " Variables, the Docker image and the startup line apply at its next start." : "")"
                )
            }
        }
        group.post("instances/:id/reinstall") { _, context in
            try await changeSettings(context) { reached, id in
                let wipe = context.form.isChecked("wipe")
                _ = try await instances.reinstall(id, wipingFiles: wipe)
                return (
                    wipe ? "reinstalled instance from empty files" : "reinstalled instance",
                    "\(reached.instance.name) is being reinstalled\(wipe ? " from empty files" : ", keeping its files")."
                )
            }
        }
        group.post("instances/:id/eula") { _, context in
            try await changeSettings(context) { reached, id in
                _ = try await instances.acceptEULA(id)
                return ("accepted the EULA", "The EULA is accepted; \(reached.instance.name) can start now.")
            }
        }
        group.post("instances/:id/ports") { _, context in
            try await changeSettings(context) { _, id in
                let port = try await instances.addPort(to: id).added
                return ("added port \(port)", "Port \(port) was added; the instance publishes it from its next start.")
            }
        }
        group.post("instances/:id/ports/:port/remove") { _, context in
            try await changeSettings(context) { _, id in
                let port = Int(try context.parameters.require("port")) ?? 0
                _ = try await instances.removePort(port, from: id)
                return ("removed port \(port)", "Port \(port) was removed; the instance stops publishing it at its next start.")
            }
        }
        group.get("instances/:id/state") { _, context in
            let instance = try await access.instance(try context.parameters.require("id"), for: try context.signedInUser()).instance
            return try JSONResponse.make(
                InstanceState(
                    installState: instance.deleting ? "DELETING" : instance.installState,
                    powerState: instance.powerState,
                    reason: instance.reason,
                    suspended: instance.suspended
                )
            )
        }
    }

    /// One change of an instance's settings, for someone with the settings permission: `change` returns
    /// what the audit log records about the instance (nothing when nothing changed) and what the page says.
    /// A refusal the store names is shown on the instance's page, not as an error page.
    private func changeSettings(
        _ context: WebRequestContext,
        _ change: (ReachableInstance, String) async throws -> (action: String?, message: String)
    ) async throws -> Response {
        let reached = try await access.instance(try context.parameters.require("id"), for: try context.signedInUser())
        try reached.role.require(.settings)
        let instance = reached.instance
        let id = try instance.requireID().uuidString.lowercased()
        do {
            let (action, message) = try await change(reached, id)
            if let action { await audit.record(action, target: instance.name, instance: instance.id, context: context) }
            context.flash(message)
        } catch let error as PanelError {
            context.flash(error)
        }
        return WebResponse.redirect("/instances/\(id)")
    }

    /// The settings form as the body of `PATCH /api/v1/instances/{id}`, with what differs from `current`:
    /// `var.<NAME>` fields are the variables (an empty one is a value too); limits and the startup line
    /// only from an admin's form.
    static func settingsFields(_ form: FormFields, admin: Bool, current instance: Instance) throws -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        if form.raw("name").trimmingCharacters(in: .whitespacesAndNewlines) != instance.name { fields["name"] = .string(form.raw("name")) }
        let prefix = "var."
        let view = InstanceView(instance, node: instance.node)
        let declared = instance.image.decodedDefinition?.variables ?? [:]
        let current = declared.compactMapValues(\.default).merging(view.variables) { _, set in set }
        var variables: [String: JSONValue] = [:]
        for field in form.values.keys where field.hasPrefix(prefix) {
            let name = String(field.dropFirst(prefix.count))
            if current[name] != form.raw(field) { variables[name] = .string(form.raw(field)) }
        }
        if !variables.isEmpty { fields["variables"] = .object(variables) }
        if let image = form.optional("dockerImage"), image != instance.dockerImage { fields["dockerImage"] = .string(image) }
        let settings = InstanceSettingsForm(instance, view: view)
        for (field, value) in settings.values where form.values[field] != nil {
            guard admin else { throw PanelError.forbidden("only an admin changes an instance's limits and startup line") }
            let sent = field == "startup" ? form.raw(field).trimmingCharacters(in: .whitespaces) : form.optional(field) ?? value
            if sent != value, !(field == "cpu" && Double(sent) == Double(value)) { fields[field] = .string(sent) }
        }
        return fields
    }

    /// What a change set, in words for the activity list.
    static func describe(_ changes: InstanceChanges) -> String {
        var parts: [String] = []
        if let name = changes.name { parts.append("name \(name)") }
        if let variables = changes.variables { parts.append("variables \(variables.keys.sorted().joined(separator: ", "))") }
        if let image = changes.dockerImage { parts.append("Docker image \(image)") }
        if let memory = changes.memory { parts.append("\(memory) MiB") }
        if let cpu = changes.cpu { parts.append("\(cpu) cores") }
        if let disk = changes.disk { parts.append("disk \(disk) MiB") }
        if let processes = changes.processes { parts.append("\(processes) processes") }
        if let limit = changes.extraPortLimit { parts.append("up to \(limit) extra ports") }
        if let limit = changes.backupLimit { parts.append("up to \(limit) backups") }
        if let limit = changes.backupSizeLimit { parts.append(limit == 0 ? "backups of any total size" : "backups of up to \(limit) MiB in all") }
        switch changes.startup {
        case .custom: parts.append("its own startup line")
        case .image: parts.append("the image's startup line")
        case nil: break
        }
        return parts.joined(separator: ", ")
    }

    struct InstanceState: Codable {
        let installState: String
        let powerState: String
        let reason: String?
        let suspended: Bool
    }
}
