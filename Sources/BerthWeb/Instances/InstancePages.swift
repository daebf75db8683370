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
                title: "My instances",
                content: [
                    "instances": rows, "hasInstances": !rows.isEmpty, "shared": shared, "hasShared": !shared.isEmpty, "isAdmin": user.admin,
                ] as [String: Any],
                context: context,
                scripts: ["dashboard.js"]
            )
        }
        group.get("instances/:id") { _, context in
            let user = try context.signedInUser()
            let reached = try await access.instance(try context.parameters.require("id"), for: user)
            let managesSubusers = reached.role.may(.subusers)
            let instanceID = try reached.instance.requireID()
            let shares = managesSubusers ? try await subusers.list(on: instanceID) : []
            let invited = managesSubusers ? try await invitations.pending(on: instanceID) : []
            return pages.render(
                "instance",
                title: reached.instance.name,
                content: InstanceDetails(reached, for: user, subusers: shares, invitations: invited),
                context: context,
                scripts: ["terminal.js", "resource-charts.js", "console.js"]
            )
        }
        group.post("instances/:id/settings") { _, context in
            let user = try context.signedInUser()
            let reached = try await access.instance(try context.parameters.require("id"), for: user)
            try reached.role.require(.settings)
            let instance = reached.instance
            let id = try instance.requireID().uuidString.lowercased()
            do {
                var fields: [String: JSONValue] = ["name": .string(context.form.raw("name"))]
                for limit in ["memory", "cpu"] {
                    guard let value = context.form.optional(limit) else { continue }
                    guard user.admin else { throw PanelError.invalid("only an admin changes an instance's limits") }
                    fields[limit] = .string(value)
                }
                let changed = try await instances.change(id, InstanceChanges(RequestFields(values: fields)))
                await audit.record(
                    "changed instance settings: name \(changed.name), \(changed.memory) MiB, \(changed.cpu) cores",
                    target: instance.name,
                    context: context
                )
                context.flash("The settings of \(changed.name) are saved.")
            } catch let error as PanelError {
                context.flash(error)
            }
            return WebResponse.redirect("/instances/\(id)")
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

    struct InstanceState: Codable {
        let installState: String
        let powerState: String
        let reason: String?
        let suspended: Bool
    }
}

/// Everything the instance page shows.
struct InstanceDetails {
    let summary: InstanceSummary
    let image: String
    let dockerImage: String
    let ports: [PortMapping]
    let variables: [Variable]
    /// The startup line with the instance's values filled in, when `user` may see them all.
    let startup: String?
    let reason: String?
    let powerState: String
    let createdAt: String?
    let installing: Bool
    let failed: Bool
    let usable: Bool
    /// The settings form: an admin also changes the limits.
    let isAdmin: Bool
    let memoryMiB: Int
    let cpuCores: Double
    let may: Permissions
    let subusers: [SubuserRow]
    let invitations: [Invitations.Pending]
    /// What the viewer may grant a new subuser: what they hold themselves.
    let grantable: [Choice]

    /// What the viewer may do here, one flag per part of the page.
    struct Permissions {
        let readConsole: Bool
        let sendCommands: Bool
        let start: Bool
        let stop: Bool
        let restart: Bool
        let kill: Bool
        let changeSettings: Bool
        let manageSubusers: Bool

        init(_ role: InstanceRole) {
            readConsole = role.may(.consoleRead)
            sendCommands = role.may(.consoleWrite)
            start = role.may(.powerStart)
            stop = role.may(.powerStop)
            restart = role.may(.powerRestart)
            kill = role.may(.powerKill)
            changeSettings = role.may(.settings)
            manageSubusers = role.may(.subusers)
        }
    }

    /// A subuser with their permissions as ticked boxes; boxes the viewer does not hold are shown, not editable.
    struct SubuserRow {
        let userId: String
        let username: String
        let choices: [PermissionChoice]
    }

    struct PermissionChoice {
        let value: String
        let label: String
        let checked: Bool
        let locked: Bool
    }

    struct Variable {
        let name: String
        /// Named apart from the image's `label` and others: Mustache looks a missing value up in the outer sections.
        let displayName: String?
        let value: String
        let help: String?
        /// Set through the seed's `/api`, which takes names the image does not declare.
        let undeclared: Bool
    }

    /// What `user` sees: an admin sees every variable, the startup line, and which variables the image does
    /// not declare; an owner sees the declared variables the image lets users see.
    init(_ reached: ReachableInstance, for user: User, subusers shares: [SubuserView], invitations: [Invitations.Pending]) {
        let instance = reached.instance
        self.invitations = invitations
        let held = reached.role.permissions
        may = Permissions(reached.role)
        subusers = shares.map { share in
            SubuserRow(
                userId: share.userId,
                username: share.username,
                choices: InstancePermission.allCases.map {
                    PermissionChoice(
                        value: $0.rawValue,
                        label: $0.summary,
                        checked: share.permissions.contains($0.rawValue),
                        locked: !held.contains($0)
                    )
                }
            )
        }
        grantable = InstancePermission.allCases.filter(held.contains).map { Choice(value: $0.rawValue, label: $0.summary, selected: false) }
        let view = InstanceView(instance, node: instance.node)
        summary = InstanceSummary(view)
        isAdmin = user.admin
        memoryMiB = view.memory
        cpuCores = view.cpu
        image = instance.image.name
        dockerImage = instance.dockerImage
        ports = (try? JSONDecoder().decode([PortMapping].self, from: Data(instance.ports.utf8))) ?? []
        let definition = instance.image.decodedDefinition
        let declared = definition?.variables ?? [:]
        var values = declared.compactMapValues(\.default).merging(view.variables) { _, set in set }
        if !user.admin { values = values.filter { declared[$0.key]?.isUserViewable == true } }
        variables = values.sorted { $0.key < $1.key }.map { name, value in
            Variable(
                name: name,
                displayName: declared[name]?.name,
                value: value,
                help: declared[name]?.description,
                undeclared: declared[name] == nil
            )
        }
        startup = user.admin || declared.values.allSatisfy(\.isUserViewable) ? definition?.startupLine(with: view.variables) : nil
        reason = instance.reason
        powerState = instance.powerState
        createdAt = view.createdAt
        installing = view.internalState == "INSTALLING"
        failed = view.internalState == "FAILED"
        usable = view.internalState == "READY" && !instance.suspended
    }
}
