import FluentKit
import Foundation
import HummingbirdOTP
import Testing

@testable import BerthPanel
@testable import BerthWeb

/// The web UI's sign-in, sessions and form protection, in-process against the real router and database.
/// (The pages themselves are driven in a real browser by Tests/Browser.)
@Suite struct WebSessionTests {
    static let password = "correct horse battery"

    @Test func signingInGivesANewSessionIDAndAPlantedOneSignsNoOneIn() async throws {
        try await InProcessPanel.with { panel in
            _ = try await panel.createUser("alice")
            let browser = panel.browser()
            // An id planted before sign-in (by a sibling subdomain, say) is not the one the user gets.
            let plantedID = String(repeating: "A", count: 43)
            browser.sessionCookie = plantedID
            let signInPage = try await browser.get("/login")
            let formCookie = try #require(signInPage.setCookies.first { $0.hasPrefix("berth_form=") })
            #expect(formCookie.contains("HttpOnly") && formCookie.contains("SameSite=Lax"))

            let signedIn = try await browser.post("/login", ["username": "alice", "password": Self.password])
            #expect(signedIn.status == 303 && signedIn.location == "/")
            let sessionCookie = try #require(signedIn.setCookies.first { $0.hasPrefix("berth_session=") })
            #expect(sessionCookie.contains("HttpOnly") && sessionCookie.contains("SameSite=Lax"))
            #expect(browser.sessionCookie != plantedID, "the session id is the panel's, made at sign-in")
            #expect(try await browser.get("/").text.contains("alice"))

            let planted = panel.browser()
            planted.sessionCookie = plantedID
            let answer = try await planted.get("/")
            #expect(answer.status == 303 && answer.location == "/login", "the planted id is worth nothing")

            let stored = try await SessionRecord.query(on: panel.panel.database.db()).all()
            #expect(!stored.contains { $0.id == browser.sessionCookie }, "sessions are stored by digest, not by id")

            try await browser.post("/logout")
            #expect(try await browser.get("/").location == "/login")
        }
    }

    @Test func visitorsWriteNothingToTheDatabaseAndTheirFormTokenIsSigned() async throws {
        try await InProcessPanel.with { panel in
            _ = try await panel.createUser("alice")
            let sessionRows = { try await SessionRecord.query(on: panel.panel.database.db()).count() }
            // Before, every first visit stored a session: a flood of sign-in page loads was a flood of writes.
            for _ in 0..<20 { try await panel.browser().get("/login") }
            let browser = panel.browser()
            try await browser.get("/login")
            #expect(try await browser.post("/login", ["username": "alice", "password": "wrong"]).status == 401)
            #expect(try await sessionRows() == 0, "no session row until a password is right")

            // The token must match the signed cookie: without the cookie, with a cookie whose signature is
            // not the panel's, or with another visitor's token, the form is refused.
            let token = try #require(browser.csrfToken)
            let bare = panel.browser()
            #expect(try await bare.post("/login", ["username": "alice", "password": Self.password, "csrf": token], csrf: false).status == 403)
            let forged = panel.browser()
            forged.setCookie("berth_form", "\(token).\(String(repeating: "0", count: 64))")
            #expect(try await forged.post("/login", ["username": "alice", "password": Self.password, "csrf": token], csrf: false).status == 403)
            let other = panel.browser()
            try await other.get("/login")
            #expect(try await other.post("/login", ["username": "alice", "password": Self.password, "csrf": token], csrf: false).status == 403)
            #expect(try await sessionRows() == 0)

            #expect(try await browser.post("/login", ["username": "alice", "password": Self.password]).status == 303)
            #expect(try await sessionRows() == 1)
        }
    }

    @Test func aWrongPasswordIsRefusedAndTheAccountIsThrottled() async throws {
        // The per-client limit is set high so that the account's count at this address is what stops the guessing.
        try await InProcessPanel.with(failedAuthenticationLimit: 100) { panel in
            _ = try await panel.createUser("alice")
            _ = try await panel.createUser("bob")
            let browser = panel.browser()
            let wrong = try await browser.signIn("alice", "not the password")
            #expect(wrong.status == 401 && wrong.text.contains("Wrong username or password"))
            #expect(try await browser.signIn("nobody", "whatever").status == 401, "an unknown user gets the same answer")
            for _ in 0..<4 { try await browser.signIn("alice", "still wrong") }
            let locked = try await browser.signIn("alice", Self.password)
            #expect(locked.status == 429, "the right password does not help while the account waits at this address")
            #expect(locked.text.contains("Too many failed sign-ins for this account. Try again in"))
            #expect((1...15).contains(Int(locked.headers.first(name: "retry-after") ?? "") ?? 0), "the first wait is 15 s")
            #expect(try await browser.signIn("bob", Self.password).status == 303, "other accounts are not affected")
        }
    }

    @Test func everyStateChangeNeedsTheSessionsCSRFToken() async throws {
        try await InProcessPanel.with { panel in
            _ = try await panel.panel.createUser(username: "root", email: "root@example.com", password: Self.password, admin: true)
            let browser = panel.browser()
            try await browser.signIn("root", Self.password)
            try await browser.get("/admin/api-keys")
            let before = try await panel.panel.listAPIKeys().count

            let forged = try await browser.post("/admin/api-keys", ["name": "forged"], csrf: false)
            #expect(forged.status == 403 && forged.text.contains("did not come from Berth"))
            let wrongToken = try await browser.post("/admin/api-keys", ["name": "forged", "csrf": String(repeating: "0", count: 64)], csrf: false)
            #expect(wrongToken.status == 403)
            #expect(try await panel.panel.listAPIKeys().count == before, "a refused form changes nothing")

            let real = try await browser.post("/admin/api-keys", ["name": "billing", "scope": "admin"])
            #expect(real.status == 303 && real.location == "/admin/api-keys" && !real.text.contains("berth_"))
            #expect(try await panel.panel.listAPIKeys().count == before + 1)
            let sessions = try await SessionRecord.query(on: panel.panel.database.db()).all().map(\.value).joined()
            #expect(sessions.contains("sealed:v1:") && !sessions.contains("berth_"), "the session keeps the key sealed, never in the clear")
            // The page the form leads to shows the key once; loading it again does not, and creates nothing.
            #expect(try await browser.get("/admin/api-keys").text.contains("berth_"))
            #expect(try await !browser.get("/admin/api-keys").text.contains("berth_"))
            #expect(try await panel.panel.listAPIKeys().count == before + 1)
        }
    }

    @Test func aUserWithTwoFactorIsNotSignedInBeforeTheCodeAndACodeWorksOnce() async throws {
        try await InProcessPanel.with { panel in
            _ = try await panel.createUser("alice")
            let secret = TwoFactor.newSecret()
            let user = try #require(try await User.query(on: panel.panel.database.db()).filter(\.$usernameKey == "alice").first())
            try await panel.panel.users.turnOnTwoFactor(for: user, secret: secret, lastUsedStep: nil, recoveryCodes: nil)

            let browser = panel.browser()
            let password = try await browser.signIn("alice", Self.password)
            #expect(password.location == "/login/two-factor")
            #expect(try await browser.get("/").location == "/login", "the password alone opens nothing")

            let step = Int(Date().timeIntervalSince1970) / 30
            let code = String(format: "%06d", HOTP(secret: secret).compute(counter: UInt64(step)))
            try await browser.get("/login/two-factor")
            #expect(try await browser.post("/login/two-factor", ["code": "12345x"]).status == 401)
            let signedIn = try await browser.post("/login/two-factor", ["code": code])
            #expect(signedIn.status == 303 && signedIn.location == "/")
            #expect(try await browser.get("/").status == 200)

            let again = panel.browser()
            try await again.signIn("alice", Self.password)
            try await again.get("/login/two-factor")
            let replay = try await again.post("/login/two-factor", ["code": code])
            #expect(replay.status == 401 && replay.text.contains("already used"), "a code is accepted once")
        }
    }

    @Test func oneCodeSubmittedTwiceAtOnceSignsInOnce() async throws {
        try await InProcessPanel.with { panel in
            _ = try await panel.createUser("alice")
            let secret = TwoFactor.newSecret()
            let user = try #require(try await User.query(on: panel.panel.database.db()).filter(\.$usernameKey == "alice").first())
            try await panel.panel.users.turnOnTwoFactor(
                for: user,
                secret: secret,
                lastUsedStep: nil,
                recoveryCodes: TwoFactor.newRecoveryCodes().stored
            )
            let code = String(format: "%06d", HOTP(secret: secret).compute(counter: UInt64(Int(Date().timeIntervalSince1970) / 30)))
            // A phishing relay and its victim, each past the password step, send the same code together.
            let first = panel.browser()
            let second = panel.browser()
            for browser in [first, second] {
                try await browser.signIn("alice", Self.password)
                try await browser.get("/login/two-factor")
            }
            async let one = first.post("/login/two-factor", ["code": code])
            async let other = second.post("/login/two-factor", ["code": code])
            let statuses = try await [one.status, other.status].sorted()
            #expect(statuses == [303, 401], "one session, not two")
        }
    }

    @Test func oneRecoveryCodeSubmittedTwiceAtOnceSignsInOnce() async throws {
        try await InProcessPanel.with { panel in
            _ = try await panel.createUser("alice")
            let user = try #require(try await User.query(on: panel.panel.database.db()).filter(\.$usernameKey == "alice").first())
            let recovery = TwoFactor.newRecoveryCodes()
            try await panel.panel.users.turnOnTwoFactor(
                for: user,
                secret: TwoFactor.newSecret(),
                lastUsedStep: nil,
                recoveryCodes: recovery.stored
            )
            let first = panel.browser()
            let second = panel.browser()
            for browser in [first, second] {
                try await browser.signIn("alice", Self.password)
                try await browser.get("/login/two-factor")
            }
            async let one = first.post("/login/two-factor", ["code": recovery.codes[0]])
            async let other = second.post("/login/two-factor", ["code": recovery.codes[0]])
            #expect(try await [one.status, other.status].sorted() == [303, 401])
        }
    }

    @Test func afterSignInOnlyAPlainLocalPathIsFollowed() async throws {
        try await InProcessPanel.with { panel in
            _ = try await panel.createUser("alice")
            for next in [
                "/%09/evil.example", "//evil.example", "/\\evil.example", "https://evil.example", "/%2F%2Fevil.example", "/a/%0d%0aSet-Cookie:x",
            ] {
                let browser = panel.browser()
                let encoded = next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                try await browser.get("/login?next=\(encoded)")
                let signedIn = try await browser.post(
                    "/login",
                    ["username": "alice", "password": Self.password, "next": next.removingPercentEncoding ?? next]
                )
                #expect(signedIn.location == "/", "next=\(next)")
            }
            let browser = panel.browser()
            try await browser.get("/login")
            let kept = try await browser.post("/login", ["username": "alice", "password": Self.password, "next": "/instances/abc-1"])
            #expect(kept.location == "/instances/abc-1", "a plain path is kept")
        }
    }

    @Test func changingThePasswordEndsTheUsersOtherSessions() async throws {
        try await InProcessPanel.with { panel in
            _ = try await panel.createUser("alice")
            let laptop = panel.browser()
            let phone = panel.browser()
            try await laptop.signIn("alice", Self.password)
            try await phone.signIn("alice", Self.password)
            try await laptop.get("/account")
            let changed = try await laptop.post(
                "/account/password",
                ["current": Self.password, "password": "a new password", "confirm": "a new password"]
            )
            #expect(changed.location == "/account")
            #expect(try await laptop.get("/account").text.contains("Your password was changed"))
            #expect(try await phone.get("/").location == "/login", "the other session ended")
            #expect(try await panel.browser().signIn("alice", "a new password").status == 303)
        }
    }

    @Test func usersCannotOpenAdminPagesAndChangesThroughTheAPIAreAudited() async throws {
        try await InProcessPanel.with { panel in
            _ = try await panel.createUser("alice")
            let browser = panel.browser()
            try await browser.signIn("alice", Self.password)
            let admin = try await browser.get("/admin/users")
            #expect(admin.status == 403 && admin.text.contains("Only administrators"))
            #expect(!(try await browser.get("/").text.contains("/admin/users")), "no admin links for users")

            let unknown = try await browser.get("/no/such/page")
            #expect(unknown.status == 404 && unknown.text.contains("There is no page at /no/such/page"), "a page, not the API's JSON")

            let events = try await panel.panel.audit.latest(10)
            #expect(events.contains { $0.actorKind == "api-key" && $0.actor == "tests" && $0.action == "api POST /api/auth/create-user" })
            #expect(events.contains { $0.actorKind == "user" && $0.actor == "alice" && $0.action == "signed in" })
        }
    }

    /// Browsers send cookies with cross-site WebSocket handshakes, so the console socket checks the Origin.
    /// The rule's cases, one by one; `ConsoleSocketOriginTests` tries it on the real route.
    @Test func theConsoleSocketOpensOnlyFromBerthsOwnPages() {
        let panel = "https://panel.example"
        #expect(ConsoleRelay.isSameOrigin(origin: "http://127.0.0.1:3001", authority: "127.0.0.1:3001", publicURL: panel))
        #expect(ConsoleRelay.isSameOrigin(origin: panel, authority: "10.0.0.5:3001", publicURL: panel), "behind a proxy, the public address")
        #expect(ConsoleRelay.isSameOrigin(origin: nil, authority: "127.0.0.1:3001", publicURL: panel), "not a browser: no cookie rides along")
        #expect(!ConsoleRelay.isSameOrigin(origin: "http://evil.example", authority: "127.0.0.1:3001", publicURL: panel))
        #expect(!ConsoleRelay.isSameOrigin(origin: "http://127.0.0.1:3001.evil.example", authority: "127.0.0.1:3001", publicURL: panel))
        #expect(!ConsoleRelay.isSameOrigin(origin: "null", authority: "127.0.0.1:3001", publicURL: panel))
    }

    @Test func consoleCommandsAreNotKeptWholeInTheAuditLog() {
        #expect(ConsoleRelay.audited(command: "list") == "list")
        #expect(ConsoleRelay.audited(command: "/login hunter2-secret") == "/login hun… (21 characters, cut)")
        #expect(!ConsoleRelay.audited(command: "rcon_password correct-horse-battery").contains("correct-horse"))
        #expect(ConsoleRelay.audited(command: String(repeating: "x", count: 100)).hasSuffix("(100 characters, cut)"))
    }
}
