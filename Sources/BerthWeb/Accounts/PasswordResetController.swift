import BerthHTTP
import BerthPanel
import Foundation
import Hummingbird

/// Forgotten passwords: ask for a link by username or e-mail address, then choose a new password with it.
/// The answer to asking is the same page whether or not the account exists.
struct PasswordResetController: Sendable {
    let pages: WebPages
    let resets: PasswordResets
    let mailer: Mailer
    let audit: AuditLog

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("forgot-password") { _, context in
            try await forgotPage(context: context, sent: false)
        }
        group.post("forgot-password") { _, context in
            guard try await mailer.isConfigured() else { return try await forgotPage(context: context, sent: false) }
            let login = context.form.optional("login") ?? ""
            if !login.isEmpty, login.count <= 254 { try await resets.request(for: login) }
            return try await forgotPage(context: context, sent: true)
        }
        group.get("reset-password/:token") { _, context in
            let token = try context.parameters.require("token")
            return resetPage(token: token, user: try await resets.user(for: token), error: nil, context: context)
        }
        group.post("reset-password/:token") { _, context in
            let token = try context.parameters.require("token")
            let password = context.form.raw("password")
            guard password == context.form.raw("confirm") else {
                return resetPage(token: token, user: try await resets.user(for: token), error: "The two passwords differ.", context: context)
            }
            do {
                let user = try await resets.redeem(token, newPassword: password)
                return await pages.signInAfter(
                    "reset the password by e-mail",
                    by: user,
                    saying: "Your new password is saved. Sign in with it.",
                    audit: audit,
                    context: context
                )
            } catch let error as PanelError {
                return resetPage(
                    token: token,
                    user: try await resets.user(for: token),
                    error: error.message,
                    context: context,
                    status: error.pageStatus
                )
            }
        }
    }

    private func forgotPage(context: WebRequestContext, sent: Bool) async throws -> Response {
        guard try await mailer.isConfigured() else {
            throw APIError(.notFound, "This panel cannot send e-mail, so passwords are reset by an administrator. Ask one.")
        }
        return pages.render("forgot-password", title: "Forgot your password?", content: ["sent": sent], context: context)
    }

    private func resetPage(
        token: String,
        user: User?,
        error: String?,
        context: WebRequestContext,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        var content: [String: Any] = ["token": token]
        if let user { content["username"] = user.username }
        if let error { content["error"] = error } else if user == nil { content["error"] = "This link has expired or was used already." }
        return pages.render(
            "reset-password",
            title: "Choose a new password",
            content: content,
            context: context,
            status: user == nil ? .notFound : status
        )
    }
}
