import BerthHTTP
import BerthPanel
import Foundation
import Hummingbird

/// The webhooks pages: an instance's own (for those with its `settings` permission) and, for admins, those
/// that hear of every instance. Make one (its secret shown once), delete one, send a delivery again. Each
/// change is audited.
struct WebhookPages: Sendable {
    let pages: WebPages
    let webhooks: WebhookStore
    let access: InstanceAccess
    let audit: AuditLog
    let box: SecretBox
    static let adminPath = "/admin/webhooks"
    private var part: InstancePart { InstancePart(access: access, audit: audit, permission: .settings, section: "webhooks") }

    func addInstanceRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("instances/:id/webhooks") { _, context in
            let (reached, id) = try await part.reach(context)
            let base = "/instances/\(id)/webhooks"
            return try await page(
                context,
                heading: "Webhooks of \(reached.instance.name)",
                back: ("/instances/\(id)", "Back to \(reached.instance.name)"),
                base: base,
                hooks: try await webhooks.list(instances: [try reached.instance.requireID()], everyInstance: false)
            )
        }
        group.post("instances/:id/webhooks") { _, context in
            let (reached, id) = try await part.reach(context)
            return try await make(context, for: try reached.instance.requireID(), on: "/instances/\(id)/webhooks", target: reached.instance.name)
        }
        group.post("instances/:id/webhooks/:webhook/delete") { _, context in
            try await part.change(context) { reached, _ in
                try await delete(try context.parameters.require("webhook"), of: try reached.instance.requireID())
            }
        }
        group.post("instances/:id/webhooks/:webhook/deliveries/:delivery/redeliver") { _, context in
            try await part.change(context) { reached, _ in
                try await redeliver(context, of: try reached.instance.requireID())
            }
        }
    }

    func addAdminRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("webhooks") { _, context in
            try await page(
                context,
                heading: "Webhooks for every instance",
                back: ("/admin/instances", "All instances"),
                base: Self.adminPath,
                hooks: try await webhooks.list(instances: [], everyInstance: true)
            )
        }
        group.post("webhooks") { _, context in
            try await make(context, for: nil, on: Self.adminPath, target: "every instance")
        }
        group.post("webhooks/:webhook/delete") { _, context in
            try await adminChange(context) { try await delete(try context.parameters.require("webhook"), of: nil) }
        }
        group.post("webhooks/:webhook/deliveries/:delivery/redeliver") { _, context in
            try await adminChange(context) { try await redeliver(context, of: nil) }
        }
    }

    // MARK: - Pages and changes

    private func page(
        _ context: WebRequestContext,
        heading: String,
        back: (href: String, label: String),
        base: String,
        hooks: [WebhookStore.View]
    ) async throws -> Response {
        var rows: [(WebhookStore.View, [WebhookStore.DeliveryView])] = []
        for hook in hooks { rows.append((hook, try await webhooks.deliveries(of: hook.id))) }
        let list = WebhookList(
            heading: heading,
            backHref: back.href,
            backLabel: back.label,
            base: base,
            hooks: rows,
            created: context.takeShownOnce(on: base, openedBy: box)?.secret
        )
        return pages.render("webhooks", title: heading, content: list, context: context)
    }

    private func make(_ context: WebRequestContext, for instance: UUID?, on base: String, target: String) async throws -> Response {
        do {
            let made = try await webhooks.create(
                url: context.form.raw("url"),
                events: context.form.values["event"] ?? [],
                format: context.form.optional("format"),
                instance: instance
            )
            await audit.record("set up webhook \(made.url)", target: target, instance: instance, context: context)
            try context.showOnce(made.secret ?? "", named: made.url, on: base, sealedBy: box)
        } catch let error as PanelError {
            context.flash(error)
        }
        return WebResponse.redirect(base)
    }

    private func delete(_ id: String, of instance: UUID?) async throws -> (action: String, message: String) {
        let hook = try await webhooks.view(id, of: instance)
        try await webhooks.delete(id)
        return ("deleted webhook \(hook.url)", "The webhook to \(hook.url) was deleted.")
    }

    private func redeliver(_ context: WebRequestContext, of instance: UUID?) async throws -> (action: String, message: String) {
        let hook = try await webhooks.view(try context.parameters.require("webhook"), of: instance)
        _ = try await webhooks.redeliver(try context.parameters.require("delivery"), of: hook.id)
        return ("redelivered a webhook delivery to \(hook.url)", "The delivery is sent again within seconds.")
    }

    private func adminChange(_ context: WebRequestContext, _ body: () async throws -> (action: String, message: String)) async throws -> Response {
        do {
            let (action, message) = try await body()
            await audit.record(action, target: "every instance", context: context)
            context.flash(message)
        } catch let error as PanelError {
            context.flash(error)
        }
        return WebResponse.redirect(Self.adminPath)
    }
}
