import BerthPanel
import Foundation
import Hummingbird
import SMTP

/// `/admin/mail`: the SMTP server the panel's letters (password resets, invitations) go out through, a
/// test letter to the admin's own address that says what went wrong, and going back to the configuration's
/// settings. The password is never shown again; a blank field keeps it.
struct MailPage: Sendable {
    let pages: WebPages
    let settings: MailSettingsStore
    let mailer: Mailer
    let audit: AuditLog

    struct Form {
        let source: String
        let host: String
        let port: Int
        let securities: [Choice]
        let username: String
        let hasPassword: Bool
        let fromAddress: String
        let fromName: String
        let configured: Bool
    }

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("mail") { _, context in
            let current = try await settings.current()
            let source =
                current == nil
                ? "No mail server is set up: nobody can reset a forgotten password by e-mail, and invitations cannot be sent."
                : try await settings.isSavedByAdmin()
                    ? "These settings were saved here."
                    : "These settings come from the panel's configuration (--smtp-host); saving here replaces them."
            let server = current?.server
            let security = server?.security ?? .startTLS
            let form = Form(
                source: source,
                host: server?.host ?? "",
                port: server?.port ?? 587,
                securities: SMTPServer.Security.allCases.map {
                    Choice(value: $0.rawValue, label: Self.label(of: $0), selected: $0 == security)
                },
                username: server?.username ?? "",
                hasPassword: server?.password != nil,
                fromAddress: current?.from.address ?? "",
                fromName: current?.from.name ?? "",
                configured: current != nil
            )
            return pages.render("admin-mail", title: "Mail", content: form, context: context)
        }
        group.post("mail") { _, context in
            do {
                let saved = try await settings.save(context.form.requestFields)
                await audit.record("saved the mail settings", target: "\(saved.server.host):\(saved.server.port)", context: context)
                context.flash("The mail settings are saved. Send a test letter to check them.")
            } catch let error as PanelError {
                context.flash(error)
            }
            return WebResponse.redirect("/admin/mail")
        }
        group.post("mail/test") { _, context in
            let user = try context.signedInUser()
            do {
                try await mailer.sendNow(
                    Letter(
                        to: user.email,
                        subject: "Berth's test letter",
                        text: "This letter shows that the panel can send e-mail: password resets and invitations will arrive."
                    )
                )
                context.flash("A test letter went to \(user.email).")
            } catch let error as PanelError {
                context.flash(error)
            } catch {
                context.flash("The test letter could not be sent: \(error)", isError: true)
            }
            return WebResponse.redirect("/admin/mail")
        }
        group.post("mail/clear") { _, context in
            try await settings.clear()
            await audit.record("forgot the saved mail settings", target: "mail", context: context)
            context.flash("The saved mail settings are gone; the configuration's, if any, apply.")
            return WebResponse.redirect("/admin/mail")
        }
    }

    private static func label(of security: SMTPServer.Security) -> String {
        switch security {
        case .startTLS: "STARTTLS (port 587)"
        case .tls: "TLS from the start (port 465)"
        case .none: "None (only for a server on this machine)"
        }
    }
}
