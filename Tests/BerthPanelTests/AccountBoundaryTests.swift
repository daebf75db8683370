import BerthTestSupport
import Foundation
import Testing

@testable import BerthPanel
@testable import BerthWeb

/// Where one credential ends and another begins (security catalogue T4, T7, T11, T13): an API key only
/// in its header, `/api` and the web's sessions apart, a demotion or deletion felt at the next request, and
/// the account page acting only on the signed-in user whatever the form says.
@Suite("Boundaries between keys, sessions and accounts", .timeLimit(.minutes(3)))
struct AccountBoundaryTests {
    @Test("an API key in the query or as a Bearer token is no key (401); /api sets no cookie, and a session cookie alone is no key")
    func keysAndCookiesApart() async throws {
        try await TestPanel.with { panel in
            let inQuery = try await panel.request(.GET, "/api/users?x-api-key=\(panel.apiKey)&api_key=\(panel.apiKey)", apiKey: .some(nil))
            #expect(inQuery.status == 401 && inQuery.error == "missing API key: send it in the x-api-key header")
            let bearer = try await panel.request(
                .GET,
                "/api/users",
                bytes: nil,
                headers: [("Authorization", "Bearer \(panel.apiKey)")],
                apiKey: .some(nil)
            )
            #expect(bearer.status == 401 && bearer.error == "missing API key: send it in the x-api-key header")

            let withKey = try await panel.request(.GET, "/api/users")
            #expect(withKey.status == 200 && withKey.headers["set-cookie"] == nil, "key authentication sets no cookie")

            _ = try await panel.createUser("owner")
            let browser = panel.browser()
            #expect(try await browser.signIn("owner", WebSessionTests.password).status == 303)
            let cookie = try #require(browser.sessionCookie)
            let cookieAlone = try await panel.request(
                .GET,
                "/api/users",
                bytes: nil,
                headers: [("Cookie", "berth_session=\(cookie)")],
                apiKey: .some(nil)
            )
            #expect(cookieAlone.status == 401 && cookieAlone.headers["set-cookie"] == nil, "a signed-in browser's cookie opens no /api route")
        }
    }

    @Test("an admin demoted or a user deleted feels it at the next page: no admin pages, then no session")
    func demotionAndDeletion() async throws {
        try await TestPanel.with { panel in
            _ = try await panel.panel.createUser(username: "root", email: "root@example.com", password: WebSessionTests.password, admin: true)
            _ = try await panel.panel.createUser(username: "deputy", email: "deputy@example.com", password: WebSessionTests.password, admin: true)
            let roots = panel.browser()
            let deputys = panel.browser()
            #expect(try await roots.signIn("root", WebSessionTests.password).status == 303)
            #expect(try await deputys.signIn("deputy", WebSessionTests.password).status == 303)
            #expect(try await deputys.get("/admin/users").status == 200)
            let deputy = try #require(try await panel.panel.users.find(.username("deputy")))
            let deputyID = try deputy.requireID().uuidString.lowercased()

            _ = try await roots.get("/admin/users")
            let demoted = try await roots.post("/admin/users/\(deputyID)", ["email": "deputy@example.com"])
            #expect(demoted.location == "/admin/users")
            #expect(try await deputys.get("/admin/users").status == 403, "no longer an admin, at once, in the session already open")
            #expect(try await deputys.get("/").status == 200, "still signed in as a user")

            _ = try await roots.get("/admin/users")
            #expect(try await roots.post("/admin/users/\(deputyID)/delete").location == "/admin/users")
            let afterDeletion = try await deputys.get("/")
            #expect(afterDeletion.location?.hasPrefix("/login") == true, "a deleted user's session ends: \(afterDeletion.status)")
        }
    }

    @Test("the account page changes only the signed-in user's password, whatever user a forged form names")
    func accountActsOnItsOwner() async throws {
        try await TestPanel.with { panel in
            let victim = try await panel.createUser("victim")
            _ = try await panel.createUser("mallory")
            let mallorys = panel.browser()
            #expect(try await mallorys.signIn("mallory", WebSessionTests.password).status == 303)
            _ = try await mallorys.get("/account")
            let changed = try await mallorys.post(
                "/account/password",
                [
                    "current": WebSessionTests.password, "password": "a quiet new phrase", "confirm": "a quiet new phrase",
                    "user": victim, "userId": victim, "id": victim, "username": "victim",
                ]
            )
            #expect(changed.status == 303)
            #expect(try await panel.browser().signIn("victim", WebSessionTests.password).status == 303, "the victim's password is as it was")
            #expect(try await panel.browser().signIn("victim", "a quiet new phrase").status != 303)
            #expect(try await panel.browser().signIn("mallory", "a quiet new phrase").status == 303, "mallory's own password changed")
        }
    }
}
