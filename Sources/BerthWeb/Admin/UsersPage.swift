import BerthHTTP
import BerthPanel
import Foundation
import Hummingbird

/// `/admin/users`: every user; create, edit (email, admin, a new password), delete.
struct UsersPage: Sendable {
    let pages: WebPages
    let users: UserStore
    let audit: AuditLog

    struct Row {
        let id: String
        let username: String
        let email: String
        let admin: Bool
        let twoFactor: Bool
        let instances: Int
        let createdAt: String?
        let isYou: Bool
    }

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("users") { _, context in
            try await list(context: context)
        }
        group.post("users") { _, context in
            let form = context.form
            // Name and address are trimmed, as the API's fields are; the password is taken as typed.
            let username = form.optional("username") ?? ""
            let email = form.optional("email") ?? ""
            var kept = ["username": username, "email": email]
            if form.isChecked("admin") { kept["admin"] = "yes" }
            do {
                try await checkNewUser(username: username, email: email, password: form.raw("password"))
                let user = try await users.create(
                    username: username,
                    email: email,
                    password: form.raw("password"),
                    userID: nil,
                    admin: form.isChecked("admin")
                )
                await audit.record("created user", target: user.username, context: context)
                context.flash("User \(user.username) was created.")
            } catch let error as PanelError {
                let problems = FormProblems(error, fields: Self.formFields)
                return try await list(context: context, form: kept, problems: problems, status: error.pageStatus)
            }
            return WebResponse.redirect("/admin/users")
        }
        group.post("users/:id") { _, context in
            try await update(context: context)
        }
        group.post("users/:id/delete") { _, context in
            try await delete(context: context)
        }
    }

    /// Every field of the create form at once, and which of the name and the address is taken: the store's
    /// own refusal of a clash names neither (as the seed's API does).
    private func checkNewUser(username: String, email: String, password: String) async throws {
        var checks = FieldChecks()
        if let username = try checks.check("username", { try UserStore.normalizedUsername(username) }),
            try await users.find(.username(username)) != nil
        {
            checks.note("\(username) is taken: another user has that username", about: "username")
        }
        if !UserStore.isEmailAddress(email) {
            checks.note("enter an email address, like name@example.com", about: "email")
        } else if try await users.find(.email(email)) != nil {
            checks.note("another user has the email address \(email)", about: "email")
        }
        _ = try checks.check("password") { try UserStore.checkPassword(password, of: username) }
        try checks.finish()
    }

    static let formFields = [
        FormProblems.Field("username", id: "new-username", label: "Username"), FormProblems.Field("email", id: "new-email", label: "Email"),
        FormProblems.Field("password", id: "new-password", label: "Password"),
    ]

    struct Content {
        let users: [Row]
        let form: [String: String]
        let problems: FormProblems?
    }

    private func list(
        context: WebRequestContext,
        form: [String: String] = [:],
        problems: FormProblems? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let me = try context.signedInUser()
        let all = try await users.all()
        let counts = try await users.instanceCounts()
        let rows = all.map { user in
            Row(
                id: user.id?.uuidString.lowercased() ?? "",
                username: user.username,
                email: user.email,
                admin: user.admin,
                twoFactor: user.hasTwoFactor,
                instances: counts[user.userID] ?? 0,
                createdAt: user.createdAt.map { ISO8601DateFormatter().string(from: $0) },
                isYou: user.id == me.id
            )
        }
        return pages.render(
            "admin-users",
            title: "Users",
            content: Content(users: rows, form: form, problems: problems),
            context: context,
            status: status
        )
    }

    private func find(_ context: WebRequestContext) async throws -> User {
        guard let uuid = UUID(uuidString: try context.parameters.require("id")), let user = try await users.find(id: uuid) else {
            throw APIError.notFound("There is no such user.")
        }
        return user
    }

    private func update(context: WebRequestContext) async throws -> Response {
        let user = try await find(context)
        let me = try context.signedInUser()
        let form = context.form
        let email = try form.required("email", label: "Email")
        let admin = form.isChecked("admin")
        guard user.id != me.id || admin else {
            context.flash("You cannot take away your own administrator rights.", isError: true)
            return WebResponse.redirect("/admin/users")
        }
        if email.lowercased() != user.emailKey {
            guard UserStore.isEmailAddress(email) else {
                context.flash("\(email) is not an email address.", isError: true)
                return WebResponse.redirect("/admin/users")
            }
            guard try await users.find(.email(email)) == nil else {
                context.flash("Another user already has the email \(email).", isError: true)
                return WebResponse.redirect("/admin/users")
            }
        }
        let password = form.raw("password")
        do {
            // Checked before anything is saved, so a refused password changes nothing.
            if !password.isEmpty { try UserStore.checkPassword(password, of: user.username) }
            user.email = email
            user.emailKey = email.lowercased()
            user.admin = admin
            if password.isEmpty {
                try await users.save(user)
            } else {
                try await users.setPassword(password, of: user)
            }
        } catch let error as PanelError {
            context.flash(error)
            return WebResponse.redirect("/admin/users")
        }
        await audit.record(password.isEmpty ? "edited user" : "edited user and set a new password", target: user.username, context: context)
        context.flash("User \(user.username) was saved.")
        return WebResponse.redirect("/admin/users")
    }

    private func delete(context: WebRequestContext) async throws -> Response {
        let user = try await find(context)
        guard user.id != (try context.signedInUser()).id else {
            context.flash("You cannot delete yourself.", isError: true)
            return WebResponse.redirect("/admin/users")
        }
        do {
            try await users.delete(user)
            await audit.record("deleted user", target: user.username, context: context)
            context.flash("User \(user.username) was deleted.")
        } catch let error as PanelError {
            context.flash(error)
        }
        return WebResponse.redirect("/admin/users")
    }
}
