import BerthPanel
import Hummingbird

extension WebPages {
    /// The sign-in page after a visitor's step that needs no session (a new password by link, an accepted
    /// invitation): the step is audited as the account's own, and the page says what happened.
    func signInAfter(_ action: String, by user: User, saying notice: String, audit: AuditLog, context: WebRequestContext) async -> Response {
        await audit.record(action, target: user.username, actor: .user(user.username), clientAddress: context.clientAddress, logger: context.logger)
        return render("login", title: "Sign in", content: ["username": user.username, "next": "/", "notice": notice], context: context)
    }
}
