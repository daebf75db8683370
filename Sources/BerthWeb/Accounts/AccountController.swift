import BerthHTTP
import BerthPanel
import Foundation
import Hummingbird

/// The signed-in user's own account: password, two-factor sign-in on or off, and what they sign in to
/// SFTP with (keys, and a password for SFTP alone).
struct AccountController: Sendable {
    let pages: WebPages
    let users: UserStore
    let sftp: SFTPCredentials
    let audit: AuditLog

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("account") { _, context in
            try await accountPage(context: context)
        }
        group.post("account/password") { _, context in
            try await changePassword(context: context)
        }
        group.get("account/two-factor") { _, context in
            try enrolmentPage(context: context)
        }
        group.post("account/two-factor") { _, context in
            try await enable(context: context)
        }
        group.post("account/two-factor/disable") { _, context in
            try await disable(context: context)
        }
        group.post("account/sftp-keys") { _, context in
            try await addKey(context: context)
        }
        group.post("account/sftp-keys/:key/delete") { _, context in
            try await removeKey(context.parameters.require("key"), context: context)
        }
        group.post("account/sftp-password") { _, context in
            try await setSFTPPassword(context: context)
        }
        group.post("account/sftp-password/clear") { _, context in
            try await clearSFTPPassword(context: context)
        }
    }

    struct AccountPage {
        let username: String
        let email: String
        let admin: Bool
        let twoFactor: Bool
        let recoveryCodesLeft: Int
        let sftpKeys: [SFTPKeyRow]
        let hasSFTPKeys: Bool
        let hasSFTPPassword: Bool
    }

    struct SFTPKeyRow {
        let id: String
        let name: String
        let fingerprint: String
        let added: String
    }

    private func accountPage(context: WebRequestContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        let user = try context.signedInUser()
        let keys = try await sftp.keys(of: user).map {
            SFTPKeyRow(
                id: $0.id,
                name: $0.name,
                fingerprint: $0.fingerprint,
                added: $0.createdAt.map { ISO8601DateFormatter().string(from: $0) } ?? ""
            )
        }
        let page = AccountPage(
            username: user.username,
            email: user.email,
            admin: user.admin,
            twoFactor: user.hasTwoFactor,
            recoveryCodesLeft: TwoFactor.remainingRecoveryCodes(user.recoveryCodes),
            sftpKeys: keys,
            hasSFTPKeys: !keys.isEmpty,
            hasSFTPPassword: user.hasSFTPPassword
        )
        return pages.render("account", title: "Account", content: page, context: context, status: status)
    }

    private func changePassword(context: WebRequestContext) async throws -> Response {
        let user = try context.signedInUser()
        let form = context.form
        guard try await Passwords.verify(form.raw("current"), hash: user.passwordHash) else {
            context.flash("Your current password is not right; nothing was changed.", isError: true)
            return WebResponse.redirect("/account")
        }
        let new = form.raw("password")
        guard new == form.raw("confirm") else {
            context.flash("The new password and its confirmation differ; nothing was changed.", isError: true)
            return WebResponse.redirect("/account")
        }
        do {
            try await users.setPassword(new, of: user)
        } catch let error as PanelError {
            context.flash(error)
            return WebResponse.redirect("/account")
        }
        // Every other session of this user ends; this one carries on under the new epoch.
        context.sessions.withLockedSession { $0?.epoch = user.sessionEpoch ?? 0 }
        await audit.record("changed their password", target: user.username, context: context)
        context.flash("Your password was changed. You were signed out everywhere else.")
        return WebResponse.redirect("/account")
    }

    struct EnrolmentPage {
        let url: String
        let secret: String
        let error: String?
    }

    private func enrolmentPage(context: WebRequestContext, error: String? = nil, status: HTTPResponse.Status = .ok) throws -> Response {
        let user = try context.signedInUser()
        guard !user.hasTwoFactor else { return WebResponse.redirect("/account") }
        let secret: String
        if let sealed = context.sessions.session?.enrollingSecret {
            secret = try users.openEnrolment(sealed)
        } else {
            secret = TwoFactor.newSecret()
            let sealed = try users.sealEnrolment(secret)
            context.sessions.withLockedSession { $0?.enrollingSecret = sealed }
        }
        let url = TwoFactor.enrolmentURL(secret: secret, username: user.username)
        let page = EnrolmentPage(url: url, secret: TwoFactor.displayedSecret(url), error: error)
        return pages.render("two-factor-enrol", title: "Two-factor sign-in", content: page, context: context, status: status, scripts: ["qr.js"])
    }

    private func enable(context: WebRequestContext) async throws -> Response {
        let user = try context.signedInUser()
        guard !user.hasTwoFactor else { return WebResponse.redirect("/account") }
        guard let sealed = context.sessions.session?.enrollingSecret else { return WebResponse.redirect("/account/two-factor") }
        let secret = try users.openEnrolment(sealed)
        guard let step = TwoFactor.acceptedStep(for: context.form.optional("code") ?? "", secret: secret, lastUsedStep: nil) else {
            return try enrolmentPage(
                context: context,
                error: "That code is not right. Check the time on your phone and enter the code shown now.",
                status: .badRequest
            )
        }
        let recovery = TwoFactor.newRecoveryCodes()
        try await users.turnOnTwoFactor(for: user, secret: secret, lastUsedStep: step, recoveryCodes: recovery.stored)
        context.sessions.withLockedSession { $0?.enrollingSecret = nil }
        await audit.record("turned on two-factor sign-in", target: user.username, context: context)
        return pages.render("recovery-codes", title: "Recovery codes", content: ["codes": recovery.codes], context: context)
    }

    private func disable(context: WebRequestContext) async throws -> Response {
        let user = try context.signedInUser()
        guard try await Passwords.verify(context.form.raw("password"), hash: user.passwordHash) else {
            context.flash("Your password is not right; two-factor sign-in stays on.", isError: true)
            return WebResponse.redirect("/account")
        }
        try await users.turnOffTwoFactor(for: user)
        await audit.record("turned off two-factor sign-in", target: user.username, context: context)
        context.flash("Two-factor sign-in is off.")
        return WebResponse.redirect("/account")
    }

    // MARK: - SFTP

    private func addKey(context: WebRequestContext) async throws -> Response {
        let user = try context.signedInUser()
        do {
            let key = try await sftp.addKey(named: context.form.raw("name"), context.form.raw("key"), for: user)
            await audit.record("added an SFTP key", target: "\(user.username) \(key.fingerprint)", context: context)
            context.flash("The key \(key.fingerprint) now signs you in to SFTP.")
        } catch let error as PanelError {
            context.flash(error)
        }
        return WebResponse.redirect("/account#sftp")
    }

    private func removeKey(_ id: String, context: WebRequestContext) async throws -> Response {
        let user = try context.signedInUser()
        do {
            try await sftp.removeKey(id, of: user)
            await audit.record("removed an SFTP key", target: user.username, context: context)
            context.flash("The key was removed; it no longer signs you in.")
        } catch let error as PanelError {
            context.flash(error)
        }
        return WebResponse.redirect("/account#sftp")
    }

    private func setSFTPPassword(context: WebRequestContext) async throws -> Response {
        let user = try context.signedInUser()
        let form = context.form
        guard try await Passwords.verify(form.raw("current"), hash: user.passwordHash) else {
            context.flash("Your panel password is not right; nothing was changed.", isError: true)
            return WebResponse.redirect("/account#sftp")
        }
        guard form.raw("password") == form.raw("confirm") else {
            context.flash("The SFTP password and its confirmation differ; nothing was changed.", isError: true)
            return WebResponse.redirect("/account#sftp")
        }
        do {
            try await sftp.setPassword(form.raw("password"), of: user)
            await audit.record("set an SFTP password", target: user.username, context: context)
            context.flash("Your SFTP password is set.")
        } catch let error as PanelError {
            context.flash(error)
        }
        return WebResponse.redirect("/account#sftp")
    }

    private func clearSFTPPassword(context: WebRequestContext) async throws -> Response {
        let user = try context.signedInUser()
        try await sftp.setPassword(nil, of: user)
        await audit.record("removed their SFTP password", target: user.username, context: context)
        context.flash("Your SFTP password is removed.")
        return WebResponse.redirect("/account#sftp")
    }
}
