import BerthHTTP
import BerthPanel
import Foundation
import Hummingbird

/// `/admin/api-keys`: create a key (shown once), list keys, revoke one.
struct APIKeysPage: Sendable {
    let pages: WebPages
    let apiKeys: APIKeyStore
    let audit: AuditLog

    struct Row {
        let id: String
        let name: String
        let createdAt: String?
        let revoked: Bool
    }

    struct Content {
        let keys: [Row]
        let created: String?
        let createdName: String?
    }

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("api-keys") { _, context in
            try await list(context: context)
        }
        group.post("api-keys") { _, context in
            guard let name = context.form.optional("name"), name.count <= 100 else {
                context.flash("Give the key a name of 1 to 100 characters, e.g. the tool that will use it.", isError: true)
                return WebResponse.redirect("/admin/api-keys")
            }
            let (_, secret) = try await apiKeys.create(name: name)
            await audit.record("created API key", target: name, context: context)
            // The only time the whole key is shown; only its digest is kept.
            return try await list(context: context, created: secret, createdName: name)
        }
        group.post("api-keys/:id/revoke") { _, context in
            let id = try context.parameters.require("id")
            guard let key = try await apiKeys.find(id) else {
                throw APIError.notFound("There is no such API key.")
            }
            if try await apiKeys.revoke(id) {
                await audit.record("revoked API key", target: key.name, context: context)
                context.flash("The key \(key.name) was revoked; requests with it are refused from now on.")
            }
            return WebResponse.redirect("/admin/api-keys")
        }
    }

    private func list(context: WebRequestContext, created: String? = nil, createdName: String? = nil) async throws -> Response {
        let rows = try await apiKeys.list().reversed().map { key in
            Row(
                id: key.id?.uuidString.lowercased() ?? "",
                name: key.name,
                createdAt: key.createdAt.map { ISO8601DateFormatter().string(from: $0) },
                revoked: key.revokedAt != nil
            )
        }
        return pages.render(
            "admin-api-keys",
            title: "API keys",
            content: Content(keys: rows, created: created, createdName: createdName),
            context: context
        )
    }
}
