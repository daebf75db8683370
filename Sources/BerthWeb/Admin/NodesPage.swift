import BerthHTTP
import BerthPanel
import Foundation
import Hummingbird

/// `/admin/nodes`: every node with its status, last heartbeat and how much of it instances use;
/// create (the configuration command is shown once), delete.
struct NodesPage: Sendable {
    let pages: WebPages
    let nodes: NodeStore
    let trust: NodeTrust
    let audit: AuditLog
    let box: SecretBox
    static let path = "/admin/nodes"

    struct Row {
        let node: NodeView
        let instances: Int
        let memoryUsed: Int
        let memoryPercent: Int
        let cpuUsed: String
        let cpuTotal: String
        /// MiB claimed by instances' disk limits and the backups kept on the node.
        let diskClaimed: Int
        /// e.g. "1.2 GiB of it backups".
        let backups: String?
        /// The certificate the panel trusts for the node, and one it presents instead, awaiting an admin.
        let pinnedFingerprint: String?
        let offeredFingerprint: String?
    }

    struct Content {
        let nodes: [Row]
        let created: Created?
        let form: [String: String]
        let problems: FormProblems?
    }

    struct Created {
        let name: String
        let command: String
    }

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("nodes") { _, context in
            try await list(context: context)
        }
        group.post("nodes") { _, context in
            do {
                let (node, credentials) = try await nodes.create(try nodes.newNode(from: Self.fields(of: context.form)))
                await audit.record("created node", target: node.name, context: context)
                // Shown once by the page this redirects to: the token is never displayed again.
                try context.showOnce(nodes.configureCommand(credentials), named: node.name, on: Self.path, sealedBy: box)
                return WebResponse.redirect(Self.path)
            } catch let error as PanelError {
                var form = Self.textFields.reduce(into: [String: String]()) { $0[$1] = context.form.optional($1) ?? "" }
                if context.form.isChecked("maintenance") { form["maintenance"] = "yes" }
                let problems = FormProblems(error, fields: Self.formFields)
                return try await list(context: context, form: form, problems: problems, status: error.pageStatus)
            }
        }
        group.post("nodes/:id") { _, context in
            let id = try context.parameters.require("id")
            do {
                let node = try await nodes.update(id, with: Self.fields(of: context.form, only: Self.policyFields))
                await audit.record(
                    "changed node \(node.name)'s allocation: ports \(node.allocationPolicy.portRanges)",
                    target: node.name,
                    context: context
                )
                context.flash("Node \(node.name) was saved.")
            } catch let error as PanelError {
                context.flash(error)
            }
            return WebResponse.redirect(Self.path)
        }
        group.post("nodes/:id/certificate") { _, context in
            let id = try context.parameters.require("id")
            let fingerprint = try context.form.required("fingerprint", label: "Fingerprint")
            let name = try await nodes.find(id)?.name ?? id
            if try await trust.acceptOffer(of: id, fingerprint: fingerprint) {
                await audit.record("trusted node certificate \(fingerprint)", target: name, context: context)
                context.flash("Node \(name)'s certificate \(fingerprint) is trusted now.")
            } else {
                context.flash("Node \(name) offers no certificate with that fingerprint (any more).", isError: true)
            }
            return WebResponse.redirect(Self.path)
        }
        group.post("nodes/:id/delete") { _, context in
            let id = try context.parameters.require("id")
            let name = try await nodes.find(id)?.name ?? id
            do {
                try await nodes.delete(id)
                await audit.record("deleted node", target: name, context: context)
                context.flash("Node \(name) was deleted.")
            } catch let error as PanelError {
                context.flash(error)
            }
            return WebResponse.redirect(Self.path)
        }
    }

    /// The create form's text fields.
    static let textFields = formFields.map(\.name)
    /// The create form's fields as the page shows them, in their order.
    static let formFields = [
        FormProblems.Field("name", id: "node-name", label: "Name"), FormProblems.Field("address", id: "node-address", label: "Address"),
        FormProblems.Field("port", id: "node-port", label: "Daemon port"), FormProblems.Field("ram", id: "node-ram", label: "Memory"),
        FormProblems.Field("disk", id: "node-disk", label: "Disk"), FormProblems.Field("processor", id: "node-processor", label: "Processor"),
        FormProblems.Field("portRanges", id: "node-port-ranges", label: "Port ranges"),
        FormProblems.Field("memoryOverallocation", id: "node-memory-over", label: "Memory overallocation"),
        FormProblems.Field("cpuOverallocation", id: "node-cpu-over", label: "CPU overallocation"),
        FormProblems.Field("defaultDisk", id: "node-default-disk", label: "Default disk limit"),
        FormProblems.Field("tags", id: "node-tags", label: "Tags"),
    ]
    /// What a node's edit form changes.
    static let policyFields = ["portRanges", "memoryOverallocation", "cpuOverallocation", "defaultDisk", "maintenance"]

    /// The form as the node's fields: text as typed (blank is not given, but blank port ranges and a blank
    /// default disk limit clear them), the maintenance checkbox as a boolean, and nothing else (not the
    /// CSRF token).
    static func fields(of form: FormFields, only names: [String] = textFields + ["maintenance"]) -> RequestFields {
        var values: [String: JSONValue] = [:]
        for name in names where name != "maintenance" {
            values[name] = form.optional(name).map(JSONValue.string)
        }
        for name in ["portRanges", "defaultDisk"] where names.contains(name) && form.isChecked(name) {
            values[name] = .string(form.raw(name))
        }
        if names.contains("maintenance") { values["maintenance"] = .bool(form.isChecked("maintenance")) }
        return RequestFields(values: values)
    }

    private func list(
        context: WebRequestContext,
        form: [String: String] = ["port": "3002"],
        problems: FormProblems? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let usage = try await nodes.usage()
        let rows = try await nodes.all().map { node in
            let used = node.id.flatMap { usage[$0] }
            let memory = used?.memory ?? 0
            return Row(
                node: NodeView(node, liveness: nodes.liveness),
                instances: used?.instances ?? 0,
                memoryUsed: memory,
                memoryPercent: node.ram > 0 ? min(100, memory * 100 / node.ram) : 0,
                cpuUsed: InstanceSummary.cores(used?.cpu ?? 0),
                cpuTotal: node.cores.map(InstanceSummary.cores) ?? "not reported",
                diskClaimed: used?.claimedDisk ?? 0,
                backups: used.flatMap { $0.backups > 0 ? "\(ByteCount.text($0.backups)) of it backups" : nil },
                pinnedFingerprint: node.certificate.flatMap { try? PinnedCertificate(pem: $0).fingerprint },
                offeredFingerprint: node.offeredCertificate.flatMap { try? PinnedCertificate(pem: $0).fingerprint }
            )
        }
        let created = context.takeShownOnce(on: Self.path, openedBy: box).map { Created(name: $0.name, command: $0.secret) }
        let content = Content(nodes: rows, created: created, form: form, problems: problems)
        return pages.render("admin-nodes", title: "Nodes", content: content, context: context, status: status)
    }
}
