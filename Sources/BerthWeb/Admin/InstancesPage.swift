import BerthHTTP
import BerthPanel
import Foundation
import Hummingbird

/// `/admin/instances`: every instance, the deploy form, and suspend, unsuspend, move and delete.
struct InstancesPage: Sendable {
    let pages: WebPages
    let instances: InstanceStore
    let users: UserStore
    let nodes: NodeStore
    let images: ImageStore
    let audit: AuditLog

    struct Row {
        let instance: InstanceSummary
        let ownerName: String
        /// The nodes it can be moved to: every other one.
        let moveTargets: [Choice]
        /// Stored, not computed: templates read fields by reflection.
        let canMove: Bool
        /// A move under way or that failed, in words.
        let move: String?
        let moveFailed: Bool
    }

    struct ImageChoice {
        let value: String
        let label: String
        let selected: Bool
        /// Fields named `var.<image id>.<name>`, so two images' variables of one name stay apart.
        let variables: [VariableField]
    }

    struct Content {
        let instances: [Row]
        /// Whether the table is drawn: an empty one says so instead.
        let hasInstances: Bool
        let users: [Choice]
        let nodes: [NodeChoice]
        /// The port rows the form draws.
        let ports: [PortPairs.Row]
        let images: [ImageChoice]
        let form: [String: String]
        let problems: FormProblems?
        let canDeploy: Bool
    }

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("instances") { _, context in
            try await list(context: context)
        }
        group.post("instances") { _, context in
            try await deploy(context: context)
        }
        for (action, suspended) in [("suspend", true), ("unsuspend", false)] {
            group.post(RouterPath(stringLiteral: "instances/:id/\(action)")) { _, context in
                let id = try context.parameters.require("id")
                do {
                    let view = try await instances.setSuspended(suspended, id)
                    await audit.record("\(action)ed instance", target: view.name, instance: UUID(uuidString: id), context: context)
                    context.flash("\(view.name) is \(suspended ? "suspended" : "no longer suspended").")
                } catch let error as PanelError {
                    context.flash(error)
                }
                return WebResponse.redirect("/admin/instances")
            }
        }
        group.post("instances/:id/transfer") { _, context in
            let id = try context.parameters.require("id")
            let name = try await instances.view(id)?.name ?? id
            let node = context.form.raw("node")
            do {
                _ = try await instances.transfer(id, to: node, live: context.form.isChecked("live"))
                let target = try await nodes.all().first { $0.id?.uuidString.lowercased() == node.lowercased() }?.name ?? node
                await audit.record("moved instance to node \(target)", target: name, instance: UUID(uuidString: id), context: context)
                context.flash("\(name) is moving to \(target); this list shows it there once it runs.")
            } catch let error as PanelError {
                context.flash(error)
            }
            return WebResponse.redirect("/admin/instances")
        }
        group.post("instances/:id/delete") { _, context in
            let id = try context.parameters.require("id")
            let name = try await instances.view(id)?.name ?? id
            do {
                switch try await instances.delete(id) {
                case .deleted: context.flash("\(name) was deleted.")
                case .pending(let reason): context.flash("\(name) will be deleted when its node answers (\(reason)).", isError: true)
                }
                await audit.record("deleted instance", target: name, context: context)
            } catch let error as PanelError {
                context.flash(error)
            }
            return WebResponse.redirect("/admin/instances")
        }
    }

    private func deploy(context: WebRequestContext) async throws -> Response {
        let form = context.form
        var fields = form.requestFields.values
        fields["variables"] = .object(Self.variables(of: form.optional("image") ?? "", in: form).mapValues(JSONValue.string))
        fields["image"] = form.optional("image").map(JSONValue.string)
        // A checkbox sends nothing when it is cleared.
        fields["start"] = .bool(form.optional("start") != nil)
        let image = form.optional("image") ?? ""
        let definition = try await images.find(image)?.decodedDefinition
        let ports = PortPairs(form)
        do {
            var checks = FieldChecks()
            fields["ports"] = try checks.check("ports") { try ports.seedText() }?.map(JSONValue.string)
            let checked = try checks.check("") { try DeployRequest(RequestFields(values: fields)) }
            // When other fields are wrong the variables are checked here too, so one answer names them all.
            if !checks.problems.isEmpty, let definition {
                _ = try checks.check("variables") { try definition.check(Self.variables(of: image, in: form), allowingUndeclared: false) }
            }
            try checks.finish()
            guard var request = checked else { throw checks.refusal }
            request.acceptsUndeclaredVariables = false
            let id = try await instances.deploy(request)
            await audit.record("deployed instance", target: request.name, context: context)
            context.flash("\(request.name) is installing.")
            return WebResponse.redirect("/instances/\(id)")
        } catch let error as PanelError {
            var values = ["name", "user", "nodeId", "image", "memory", "cpu", "disk", "portCount", "primary"]
                .reduce(into: [String: String]()) { $0[$1] = form.raw($1) }
            for name in form.values.keys where name.hasPrefix("var.") { values[name] = form.raw(name) }
            if form.optional("start") == nil { values["leaveOff"] = "yes" }
            let variableFields = (definition?.variables?.keys.sorted() ?? []).map {
                FormProblems.Field("var.\(image).\($0)", id: "var.\(image).\($0)")
            }
            let problems = FormProblems(error, fields: Self.formFields + variableFields) { field in
                field.hasPrefix("variables.") ? "var.\(image).\(field.dropFirst("variables.".count))" : field
            }
            return try await list(context: context, form: values, ports: ports.shownRows, problems: problems, status: error.pageStatus)
        }
    }

    /// The deploy form's fields in their order on the page, with their elements' ids.
    static let formFields = [
        FormProblems.Field("name", id: "deploy-name", label: "Name"), FormProblems.Field("user", id: "deploy-user", label: "Owner"),
        FormProblems.Field("nodeId", id: "deploy-node", label: "Node"), FormProblems.Field("image", id: "deploy-image", label: "Image"),
        FormProblems.Field("memory", id: "deploy-memory", label: "Memory"), FormProblems.Field("cpu", id: "deploy-cpu", label: "CPU"),
        FormProblems.Field("disk", id: "deploy-disk", label: "Disk"), FormProblems.Field("ports", id: "deploy-ports", label: "Ports"),
        FormProblems.Field("portCount", id: "deploy-port-count", label: "Ports to take"),
        FormProblems.Field("primary", id: "deploy-primary", label: "Primary port"),
    ]

    /// A node as the deploy form offers it: where it is, what is free on it, and the ports it hands out.
    static func label(of node: Node, room: NodeRoom) -> String {
        let memory = room.memory.map { "\($0) MiB" } ?? "unlimited"
        let cores = node.cores == nil ? "cores not reported yet" : room.cpu.map { "\(InstanceSummary.cores($0)) free" } ?? "cores unlimited"
        let policy = node.allocationPolicy
        let ports = policy.portRanges.isEmpty ? "no port ranges" : "ports \(policy.portRanges)"
        return "\(node.name) — \(node.address), free: \(memory), \(cores), \(room.disk) MiB disk; \(ports)"
            + (policy.maintenance ? " (maintenance)" : "")
    }

    /// A node of the deploy form, with what is free on it for the form's script to offer.
    struct NodeChoice {
        let value: String
        let label: String
        let selected: Bool
        let freeMemory: String
        let freeCPU: String
        let freeDisk: Int
        /// Space-separated.
        let freePorts: String
        /// The limits a fresh form proposes on this node; the form's script moves untouched ones to them.
        let proposedMemory: String
        let proposedCPU: String
    }

    /// Limits that fit the room: the usual 256 MiB and one core, or what is left when less is (CPU rounded
    /// down to hundredths, so the proposal never asks more than is free).
    static func proposedLimits(fitting room: NodeRoom?) -> (memory: String, cpu: String) {
        let memory = min(256, room?.memory ?? 256)
        let cpu = (min(1, room?.cpu ?? 1) * 100).rounded(.down) / 100
        return (String(memory), cpu == cpu.rounded() ? String(Int(cpu)) : String(format: "%.2f", cpu))
    }

    /// The chosen image's variable fields (`var.<image id>.<NAME>`) that are filled in; a blank one takes
    /// the image's default.
    static func variables(of image: String, in form: FormFields) -> [String: String] {
        let prefix = "var.\(image)."
        return form.values.keys.filter { $0.hasPrefix(prefix) }.reduce(into: [:]) { variables, field in
            if let value = form.optional(field) { variables[String(field.dropFirst(prefix.count))] = value }
        }
    }

    private func list(
        context: WebRequestContext,
        form sent: [String: String]? = nil,
        ports: [PortPairs.Row] = PortPairs(FormFields()).shownRows,
        problems: FormProblems? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let users = try await self.users.all().sorted { $0.usernameKey < $1.usernameKey }
        let names = Dictionary(users.map { ($0.userID, $0.username) }, uniquingKeysWith: { first, _ in first })
        let nodes = try await self.nodes.all().sorted { $0.name < $1.name }
        let moves = try await instances.unfinishedTransfers()
        let nodeNames = Dictionary(nodes.map { ($0.id?.uuidString.lowercased() ?? "", $0.name) }, uniquingKeysWith: { first, _ in first })
        let rows = try await instances.all().map { view in
            let move = moves[view.id]
            let target = move.map { nodeNames[$0.to] ?? $0.to } ?? ""
            let targets = nodes.filter { $0.id?.uuidString.lowercased() != view.node.id }
                .map { Choice(value: $0.id?.uuidString.lowercased() ?? "", label: $0.name, selected: false) }
            return Row(
                instance: InstanceSummary(view),
                ownerName: names[view.user] ?? view.user,
                moveTargets: targets,
                canMove: !targets.isEmpty,
                move: move.map { $0.state == "failed" ? "moving to \(target) failed: \($0.error ?? "no reason")" : "moving to \(target)…" },
                moveFailed: move?.state == "failed"
            )
        }
        let usage = try await self.nodes.usage()
        var rooms: [String: NodeRoom] = [:]
        for node in nodes {
            rooms[node.id?.uuidString.lowercased() ?? ""] = try await self.nodes.room(of: node, using: node.id.flatMap { usage[$0] })
        }
        // A fresh form proposes limits that fit the node it starts on.
        var form = sent ?? [:]
        if sent == nil {
            let proposed = Self.proposedLimits(fitting: nodes.first.flatMap { rooms[$0.id?.uuidString.lowercased() ?? ""] })
            form["memory"] = proposed.memory
            form["cpu"] = proposed.cpu
        }
        let images = try await self.images.all()
        let content = Content(
            instances: rows,
            hasInstances: !rows.isEmpty,
            users: users.map { Choice.user($0, selected: form["user"] == $0.userID) },
            nodes: nodes.map { node in
                let id = node.id?.uuidString.lowercased() ?? ""
                let room = rooms[id] ?? NodeRoom(memory: nil, cpu: nil, disk: 0, freePorts: [])
                let proposed = Self.proposedLimits(fitting: room)
                return NodeChoice(
                    value: id,
                    label: Self.label(of: node, room: room),
                    selected: form["nodeId"] == id,
                    freeMemory: room.memory.map(String.init) ?? "",
                    freeCPU: room.cpu.map { String(format: "%.2f", $0) } ?? "",
                    freeDisk: room.disk,
                    freePorts: room.freePorts.map(String.init).joined(separator: " "),
                    proposedMemory: proposed.memory,
                    proposedCPU: proposed.cpu
                )
            },
            ports: ports,
            images: images.map { image in
                let id = image.id?.uuidString.lowercased() ?? ""
                let definition = image.decodedDefinition
                let variables = (definition?.variables ?? [:]).sorted { $0.key < $1.key }.map { name, variable in
                    let field = "var.\(id).\(name)"
                    return VariableField(name, variable, field: field, value: form[field], problem: problems?.errors[field])
                }
                return ImageChoice(value: id, label: image.name, selected: form["image"] == id, variables: variables)
            },
            form: form,
            problems: problems,
            canDeploy: !users.isEmpty && !nodes.isEmpty && !images.isEmpty
        )
        return pages.render(
            "admin-instances",
            title: "All instances",
            content: content,
            context: context,
            status: status,
            scripts: ["deploy-form.js", "instance-lists.js"]
        )
    }
}
