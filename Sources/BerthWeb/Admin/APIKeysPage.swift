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
    let box: SecretBox
    static let path = "/admin/api-keys"

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
        /// The name a refused form sent.
        let name: String?
        let problems: FormProblems?
    }

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("api-keys") { _, context in
            try await list(context: context)
        }
        group.post("api-keys") { _, context in
            let name = context.form.optional("name") ?? ""
            let scopes = context.form.values["scope"] ?? []
            let owner = context.form.optional("owner")
            let secret: String
            do {
                var checks = FieldChecks()
                if name.isEmpty || name.count > 100 {
                    checks.note("give the key a name of 1 to 100 characters, e.g. the tool that will use it", about: "name")
                }
                let parsed = try checks.check("scope") { try APIKeyScopes(scopes.joined(separator: " ")) }
                try checks.finish()
                guard let parsed else { throw checks.refusal }
                secret = try await apiKeys.create(name: name, scopes: parsed, ownerUserID: owner).secret
            } catch let error as PanelError {
                let problems = FormProblems(
                    error,
                    fields: [
                        FormProblems.Field("name", id: "key-name", label: "Name"), FormProblems.Field("scope", id: "key-scopes", label: "Scopes"),
                        FormProblems.Field("owner", id: "key-owner", label: "Acts as"),
                    ]
                )
                let sent = SentForm(name: name, scopes: Set(scopes), owner: owner)
                return try await list(context: context, sent: sent, problems: problems, status: error.pageStatus)
            }
            let scopeText = scopes.joined(separator: " ")
            await audit.record("created API key [\(scopeText)]\(owner.map { " acting as \($0)" } ?? "")", target: name, context: context)
            // Shown once by the page this redirects to; only its digest is kept.
            try context.showOnce(secret, named: name, on: Self.path, sealedBy: box)
            return WebResponse.redirect(Self.path)
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
            return WebResponse.redirect(Self.path)
        }
    }

    /// A refused create form as it was sent.
    struct SentForm {
        let name: String
        let scopes: Set<String>
        let owner: String?
    }

    private func list(
        context: WebRequestContext,
        sent: SentForm? = nil,
        problems: FormProblems? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let created = context.takeShownOnce(on: Self.path, openedBy: box)
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
            .map { Choice.user($0, selected: $0.userID == sent?.owner) }
        return pages.render(
            "admin-api-keys",
            title: "API keys",
            content: Content(
                keys: rows,
                created: created?.secret,
                createdName: created?.name,
                scopes: APIKeyScopes.known.map { scope in
                    Choice(value: scope, label: scope, selected: sent?.scopes.contains(scope) ?? (scope == "admin"))
                },
                users: users,
                name: sent?.name,
                problems: problems
            ),
            context: context,
            status: status
        )
    }
}
