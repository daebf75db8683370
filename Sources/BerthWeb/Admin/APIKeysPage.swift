import BerthHTTP
import BerthPanel
import Foundation
import Hummingbird

/// `/admin/api-keys`: create a key (shown once) with its scopes and perhaps a user it acts as, list keys
/// with their last use, revoke one.
struct APIKeysPage: Sendable {
    let pages: WebPages
    let apiKeys: APIKeyStore
    let users: UserStore
    let audit: AuditLog

    struct Row {
        let id: String
        let name: String
        let createdAt: String?
        let lastUsed: String?
        let scopes: String
        let owner: String?
        let revoked: Bool
    }

    struct Content {
        let keys: [Row]
        let created: String?
        let createdName: String?
        /// Every scope, with `admin` ticked: what Skyport tools expect of a key.
        let scopes: [Choice]
        let users: [Choice]
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
            let scopes = context.form.values["scope"] ?? []
            let owner = context.form.optional("owner")
            let secret: String
            do {
                secret = try await apiKeys.create(name: name, scopes: try APIKeyScopes(scopes.joined(separator: " ")), ownerUserID: owner).secret
            } catch let error as PanelError {
                context.flash(error)
                return WebResponse.redirect("/admin/api-keys")
            }
            let scopeText = scopes.joined(separator: " ")
            await audit.record("created API key [\(scopeText)]\(owner.map { " acting as \($0)" } ?? "")", target: name, context: context)
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
        let names = Dictionary(try await users.all().map { ($0.userID, $0.username) }, uniquingKeysWith: { first, _ in first })
        let time = { (date: Date?) in date.map { ISO8601DateFormatter().string(from: $0) } }
        let rows = try await apiKeys.list().reversed().map { key in
            Row(
                id: key.id?.uuidString.lowercased() ?? "",
                name: key.name,
                createdAt: time(key.createdAt),
                lastUsed: time(key.lastUsedAt),
                scopes: key.scopes.description,
                owner: key.ownerUserID.map { names[$0] ?? $0 },
                revoked: key.revokedAt != nil
            )
        }
        let users = try await users.all().sorted { $0.usernameKey < $1.usernameKey }
            .map { Choice.user($0) }
        return pages.render(
            "admin-api-keys",
            title: "API keys",
            content: Content(
                keys: rows,
                created: created,
                createdName: createdName,
                scopes: APIKeyScopes.known.map { Choice(value: $0, label: $0, selected: $0 == "admin") },
                users: users
            ),
            context: context
        )
    }
}
