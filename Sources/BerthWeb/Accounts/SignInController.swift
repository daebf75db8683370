import BerthHTTP
import BerthPanel
import Foundation
import Hummingbird

/// Sign-in with a password and, when the account has it on, a TOTP code or a recovery code; sign-out.
/// Each successful step gets a new session id, so an id planted before sign-in is worth nothing after.
struct SignInController: Sendable {
    let pages: WebPages
    let users: UserStore
    let throttle: SignInThrottles
    let sessions: WebSessions
    let audit: AuditLog
    /// Whether the page offers "Forgot your password?": only when the panel can send the link.
    let mailer: Mailer

    /// How long a correct password waits for its second factor.
    static let secondFactorWindow: TimeInterval = 5 * 60

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("login") { request, context in
            if context.user != nil { return WebResponse.redirect("/") }
            return try await signInPage(context: context, next: request.uri.queryParameters.get("next"))
        }
        group.post("login") { request, context in
            try await signIn(request, context: context)
        }
        group.get("login/two-factor") { _, context in
            guard awaitingUser(context) != nil else { return WebResponse.redirect("/login") }
            return pages.render("two-factor", title: "Two-factor sign-in", context: context)
        }
        group.post("login/two-factor") { request, context in
            try await secondFactor(request, context: context)
        }
        group.post("logout") { request, context in
            if let user = context.user { await audit.record("signed out", target: user.username, context: context) }
            context.sessions.clearSession()
            return WebResponse.redirect("/login")
        }
    }

    private func signInPage(
        context: WebRequestContext,
        next: String?,
        username: String = "",
        error: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        pages.render(
            "login",
            title: "Sign in",
            content: SignInForm(username: username, next: Self.safeNext(next), error: error, canReset: try await mailer.isConfigured()),
            context: context,
            status: status
        )
    }

    struct SignInForm {
        let username: String
        let next: String
        let error: String?
        let canReset: Bool
    }

    private func signIn(_ request: Request, context: WebRequestContext) async throws -> Response {
        let login = context.form.optional("username") ?? ""
        let password = context.form.raw("password")
        let next = Self.safeNext(context.form.optional("next"))
        let user = try await users.find(login.contains("@") ? .email(login) : .username(login))
        // One count per account, whether it is named by username or by email.
        let account = user?.usernameKey ?? login.lowercased()
        if let refusal = try await throttle.refusal(client: context.clientAddress, account: account) {
            return Self.waiting(
                try await signInPage(context: context, next: next, username: login, error: refusal.message, status: .tooManyRequests),
                refusal
            )
        }
        guard try await Passwords.verify(password, hash: user?.passwordHash), let user else {
            try await throttle.recordFailure(client: context.clientAddress, account: account)
            await recordRefusal(user == nil ? "sign-in refused: no such account" : "sign-in refused: wrong password", naming: login, context: context)
            return try await signInPage(context: context, next: next, username: login, error: "Wrong username or password.", status: .unauthorized)
        }
        if user.hasTwoFactor {
            var waiting = WebSession.visitor()
            waiting.awaitingSecondFactor = user.id
            waiting.awaitingSince = Date()
            waiting.returnTo = next
            try await sessions.replace(with: waiting, request: request, context: context)
            return WebResponse.redirect("/login/two-factor")
        }
        try await sessions.replace(with: .signedIn(user), request: request, context: context)
        try await throttle.recordSuccess(client: context.clientAddress, account: account)
        await recordSignIn("signed in", of: user, context: context)
        return WebResponse.redirect(next)
    }

    /// The request's context does not name the user yet (the session is replaced after this), so the
    /// audit entry names them itself.
    private func recordSignIn(_ action: String, of user: User, context: WebRequestContext) async {
        await audit.record(
            action,
            target: user.username,
            actor: .user(user.username),
            clientAddress: context.clientAddress,
            logger: context.logger
        )
    }

    /// A refused sign-in, by someone not signed in, naming the account they tried (cut short and without
    /// control characters: it is whatever was typed). Each one is also counted by the throttle, which bounds
    /// how many one client can write.
    private func recordRefusal(_ action: String, naming account: String, context: WebRequestContext) async {
        let named = String(account.unicodeScalars.filter { $0.properties.generalCategory != .control }.prefix(64))
        await audit.record(action, target: named, actor: .visitor, clientAddress: context.clientAddress, logger: context.logger)
    }

    private func awaitingUser(_ context: WebRequestContext) -> UUID? {
        guard let session = context.sessions.session, let id = session.awaitingSecondFactor, let since = session.awaitingSince,
            Date().timeIntervalSince(since) < Self.secondFactorWindow
        else { return nil }
        return id
    }

    private func secondFactor(_ request: Request, context: WebRequestContext) async throws -> Response {
        guard let id = awaitingUser(context), let user = try await users.find(id: id), let secret = try users.totpSecret(of: user) else {
            context.flash("Your sign-in took too long. Enter your password again.", isError: true)
            return WebResponse.redirect("/login")
        }
        let next = context.sessions.session?.returnTo
        let retry = { (message: String, status: HTTPResponse.Status) in
            pages.render("two-factor", title: "Two-factor sign-in", content: ["error": message], context: context, status: status)
        }
        if let refusal = try await throttle.refusal(client: context.clientAddress, account: user.usernameKey) {
            return Self.waiting(retry(refusal.message, .tooManyRequests), refusal)
        }
        let code = context.form.optional("code") ?? ""
        // Claimed in the database, not just checked: of two requests with one code, one signs in.
        var accepted = false
        if let step = TwoFactor.acceptedStep(for: code, secret: secret, lastUsedStep: user.totpLastStep) {
            accepted = try await users.claimTOTPStep(step, of: user)
        } else if let stored = user.recoveryCodes, let remaining = TwoFactor.redeem(code, stored: stored) {
            accepted = try await users.claimRecoveryCode(of: user, redeemed: stored, remaining: remaining)
        }
        guard accepted else {
            try await throttle.recordFailure(client: context.clientAddress, account: user.usernameKey)
            await recordRefusal("sign-in refused: wrong two-factor code", naming: user.username, context: context)
            return retry("That code is wrong or was already used. Wait for the next code and try again.", .unauthorized)
        }
        try await sessions.replace(with: .signedIn(user), request: request, context: context)
        try await throttle.recordSuccess(client: context.clientAddress, account: user.usernameKey)
        await recordSignIn("signed in with two factors", of: user, context: context)
        return WebResponse.redirect(Self.safeNext(next))
    }

    /// A refused attempt's page, saying when to try again as browsers and scripts read it.
    private static func waiting(_ page: Response, _ refusal: SignInThrottles.Refusal) -> Response {
        var page = page
        page.headers[.retryAfter] = String(refusal.wait.wholeSecondsRoundedUp)
        return page
    }

    /// Only a plain path on this panel: `//evil.example`, `/\evil.example` or `/%09/evil.example` (browsers
    /// drop the tab and read `//`) would send the user elsewhere after a genuine sign-in.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), next.count <= 512 else { return "/" }
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-_.~%")
        guard next.unicodeScalars.allSatisfy({ allowed.contains($0) }), !next.contains("//"),
            let decoded = next.removingPercentEncoding, decoded.hasPrefix("/"), !decoded.contains("//"), !decoded.contains("\\"),
            !decoded.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.isWhitespace })
        else { return "/" }
        return next
    }
}
