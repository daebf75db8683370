import BerthHTTP
import BerthPanel
import Foundation
import Hummingbird

/// An invitation's link: the guest sees which instance and what they may do there, chooses a username
/// and password, and signs in to an account that is already a subuser of it.
struct InvitationController: Sendable {
    let pages: WebPages
    let invitations: Invitations
    let audit: AuditLog

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("invitations/:token") { _, context in
            let token = try context.parameters.require("token")
            return page(token: token, opened: try await invitations.open(token), context: context)
        }
        group.post("invitations/:token") { _, context in
            let token = try context.parameters.require("token")
            let username = context.form.optional("username") ?? ""
            do {
                let user = try await invitations.accept(token, username: username, password: context.form.raw("password"))
                return await pages.signInAfter(
                    "accepted an invitation",
                    by: user,
                    saying: "Your account is made. Sign in to reach the instance.",
                    audit: audit,
                    context: context
                )
            } catch let error as PanelError {
                let opened = try await invitations.open(token)
                return page(token: token, opened: opened, username: username, error: error.message, context: context, status: error.pageStatus)
            }
        }
    }

    private func page(
        token: String,
        opened: Invitations.Opened?,
        username: String = "",
        error: String? = nil,
        context: WebRequestContext,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        var content: [String: Any] = ["token": token, "username": username]
        if let opened {
            content["instanceName"] = opened.instanceName
            content["email"] = opened.email
            content["permissions"] = opened.permissions.sorted().map(\.summary)
        }
        content["error"] = error ?? (opened == nil ? "This invitation has expired, was withdrawn or was used already." : nil)
        return pages.render("invitation", title: "Invitation", content: content, context: context, status: opened == nil ? .notFound : status)
    }
}
