import Foundation
import Testing

@testable import BerthPanel
@testable import BerthWeb

/// The admin's create forms in-process: a refused form names every wrong field at once, beside the field,
/// keeps what was typed (never a password), and a form that creates answers with a redirect.
@Suite struct WebFormTests {
    static func signedInAdmin(_ panel: InProcessPanel) async throws -> WebClient {
        _ = try await panel.panel.createUser(username: "root", email: "root@example.com", password: WebSessionTests.password, admin: true)
        let browser = panel.browser()
        #expect(try await browser.signIn("root", WebSessionTests.password).status == 303)
        try await browser.get("/admin/users")
        return browser
    }

    @Test func aRefusedUserFormNamesEachWrongFieldAndWhichOneClashes() async throws {
        try await InProcessPanel.with { panel in
            let admin = try await Self.signedInAdmin(panel)
            let wrong = try await admin.post("/admin/users", ["username": "ad min", "email": "a@@b.c", "password": "short", "admin": "on"])
            #expect(wrong.status == 400)
            #expect(wrong.text.contains("There are 3 problems with this form"))
            for field in ["new-username", "new-email", "new-password"] {
                #expect(wrong.text.contains(#"aria-invalid="true" aria-describedby="\#(field)-error""#), "\(field)")
            }
            #expect(wrong.text.contains(#"value="ad min""#) && wrong.text.contains(#"value="a@@b.c""#), "what was typed is kept")
            #expect(wrong.text.contains(#"id="new-admin" checked"#))
            #expect(!wrong.text.contains("short"), "a password is never sent back")

            #expect(
                try await admin.post("/admin/users", ["username": "alice", "email": "alice@example.com", "password": WebSessionTests.password]).status
                    == 303
            )
            let sameName = try await admin.post(
                "/admin/users",
                ["username": "Alice", "email": "other@example.com", "password": WebSessionTests.password]
            )
            #expect(
                sameName.status == 400 && sameName.text.contains("Alice is taken: another user has that username.")
                    && !sameName.text.contains("another user has the email")
            )
            #expect(
                sameName.text.contains(#"aria-describedby="new-username-error""#) && !sameName.text.contains(#"aria-describedby="new-email-error""#)
            )
            let sameEmail = try await admin.post(
                "/admin/users",
                ["username": "bob", "email": "ALICE@example.com", "password": WebSessionTests.password]
            )
            #expect(sameEmail.status == 400 && sameEmail.text.contains("Another user has the email address ALICE@example.com."))
            #expect(try await panel.panel.users.all().count == 2, "nothing refused was created")
        }
    }

    @Test func aRefusedNodeFormNamesEachWrongFieldAndACreatedNodesCommandIsShownOnce() async throws {
        try await InProcessPanel.with { panel in
            let admin = try await Self.signedInAdmin(panel)
            let fields = [
                "name": "spare", "address": "169.254.169.254", "port": "99999", "ram": "lots", "disk": "10G", "memoryOverallocation": "many",
            ]
            let wrong = try await admin.post("/admin/nodes", fields)
            #expect(wrong.status == 400)
            #expect(wrong.text.contains("There are 4 problems with this form"), "\(wrong.text)")
            for field in ["node-address", "node-port", "node-ram", "node-memory-over"] {
                #expect(wrong.text.contains(#"aria-invalid="true" aria-describedby="\#(field)-error""#), "\(field)")
            }
            #expect(!wrong.text.contains(#"aria-describedby="node-name-error""#))
            #expect(wrong.text.contains("Memory must be a size such as 512"), "a message calls the field what its label does")
            #expect(wrong.text.contains(#"value="spare""#) && wrong.text.contains(#"value="lots""#))
            #expect(try await panel.panel.nodes.all().isEmpty)

            let created = try await admin.post("/admin/nodes", ["name": "spare", "address": "192.0.2.10", "port": "9", "ram": "1G", "disk": "10G"])
            #expect(created.status == 303 && created.location == "/admin/nodes")
            let shown = try await admin.get("/admin/nodes")
            #expect(shown.text.contains(#"id="configure-command""#) && shown.text.contains("berth daemon configure"))
            #expect(try await !admin.get("/admin/nodes").text.contains(#"id="configure-command""#), "the command is shown once")
            #expect(try await panel.panel.nodes.all().count == 1)
        }
    }

    @Test func aRefusedKeyFormKeepsItsScopesAndOwner() async throws {
        try await InProcessPanel.with { panel in
            let admin = try await Self.signedInAdmin(panel)
            try await admin.get("/admin/api-keys")
            let before = try await panel.panel.listAPIKeys().count
            let wrong = try await admin.post("/admin/api-keys", ["name": "", "scope": "read"])
            #expect(wrong.status == 400 && wrong.text.contains("Give the key a name of 1 to 100 characters"))
            #expect(wrong.text.contains(#"value="read" checked"#) && !wrong.text.contains(#"value="admin" checked"#), "the scopes ticked stay ticked")
            #expect(try await panel.panel.listAPIKeys().count == before)
        }
    }
}
