import BerthHTTP
import BerthPanel
import Foundation
import Hummingbird

/// `/admin/instances`: every instance, the deploy form, and suspend, unsuspend and delete.
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
    }

    struct Choice {
        let value: String
        let label: String
        let selected: Bool
    }

    struct ImageChoice {
        let value: String
        let label: String
        let selected: Bool
        let variables: [ImageVariable]
    }

    struct ImageVariable {
        let name: String
        let value: String
        let description: String?
    }

    struct Content {
        let instances: [Row]
        let users: [Choice]
        let nodes: [Choice]
        let images: [ImageChoice]
        let form: [String: String]
        let error: String?
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
                    await audit.record("\(action)ed instance", target: view.name, context: context)
                    context.flash("\(view.name) is \(suspended ? "suspended" : "no longer suspended").")
                } catch let error as PanelError {
                    context.flash(error)
                }
                return WebResponse.redirect("/admin/instances")
            }
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
        fields["variables"] = .object(Self.variables(form.raw("variables")).mapValues(JSONValue.string))
        fields["image"] = form.optional("image").map(JSONValue.string)
        do {
            let request = try DeployRequest(RequestFields(values: fields))
            let id = try await instances.deploy(request)
            await audit.record("deployed instance", target: request.name, context: context)
            context.flash("\(request.name) is installing.")
            return WebResponse.redirect("/instances/\(id)")
        } catch let error as PanelError {
            let values = ["name", "user", "nodeId", "image", "memory", "cpu", "disk", "ports", "primary", "variables"]
                .reduce(into: [String: String]()) { $0[$1] = form.raw($1) }
            return try await list(context: context, form: values, error: error.message, status: error.pageStatus)
        }
    }

    /// `NAME=value` lines into variables; blank lines and lines without `=` are skipped.
    static func variables(_ text: String) -> [String: String] {
        text.split(whereSeparator: \.isNewline).reduce(into: [:]) { variables, line in
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            guard parts.count == 2, !name.isEmpty else { return }
            variables[name] = String(parts[1]).trimmingCharacters(in: .whitespaces)
        }
    }

    private func list(
        context: WebRequestContext,
        form: [String: String] = ["memory": "256", "cpu": "1"],
        error: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let users = try await self.users.all().sorted { $0.usernameKey < $1.usernameKey }
        let names = Dictionary(users.map { ($0.userID, $0.username) }, uniquingKeysWith: { first, _ in first })
        let rows = try await instances.all().map { Row(instance: InstanceSummary($0), ownerName: names[$0.user] ?? $0.user) }
        let nodes = try await self.nodes.all().sorted { $0.name < $1.name }
        let images = try await self.images.all()
        let content = Content(
            instances: rows,
            users: users.map { Choice(value: $0.userID, label: "\($0.username) (\($0.email))", selected: form["user"] == $0.userID) },
            nodes: nodes.map { node in
                let id = node.id?.uuidString.lowercased() ?? ""
                return Choice(
                    value: id,
                    label: "\(node.name) — \(node.address), \(node.ram) MiB, \(InstanceSummary.cores(node.processor))",
                    selected: form["nodeId"] == id
                )
            },
            images: images.map { image in
                let id = image.id?.uuidString.lowercased() ?? ""
                let definition = try? JSONDecoder().decode(ImageDefinition.self, from: Data(image.definition.utf8))
                let variables = (definition?.variables ?? [:]).sorted { $0.key < $1.key }.map {
                    ImageVariable(name: $0.key, value: $0.value.default ?? "", description: $0.value.description)
                }
                return ImageChoice(value: id, label: image.name, selected: form["image"] == id, variables: variables)
            },
            form: form,
            error: error,
            canDeploy: !users.isEmpty && !nodes.isEmpty && !images.isEmpty
        )
        return pages.render("admin-instances", title: "All instances", content: content, context: context, status: status)
    }
}
