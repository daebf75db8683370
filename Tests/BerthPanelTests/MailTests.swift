import BerthTestSupport
import Foundation
import NIOHTTP1
import Testing

@testable import BerthPanel

/// The panel's e-mail against a real SMTP server (aiosmtpd, started by the test): password resets and
/// invitations, through the web pages a visitor uses.
@Suite("E-mail: password resets and invitations", .timeLimit(.minutes(4)))
struct MailTests {
    @Test("a reset letter arrives; its link works once; asking for an unknown account looks the same and sends nothing")
    func passwordReset() async throws {
        let mail = try await TestMailServer.start()
        defer { mail.stop() }
        try await TestPanel.with { panel in
            let visitor = panel.browser()
            #expect(!(try await visitor.get("/login")).text.contains("forgot-password-link"), "no link while the panel cannot send mail")
            try await Self.setUpMail(panel, port: mail.port)
            _ = try await panel.createUser("alice")
            _ = try await panel.createUser("bob")

            #expect(try await visitor.get("/login").text.contains("forgot-password-link"))
            try await visitor.get("/forgot-password")
            let unknown = try await visitor.post("/forgot-password", ["login": "nobody"])
            let known = try await visitor.post("/forgot-password", ["login": "alice@example.com"])
            #expect(unknown.status == 200 && known.status == 200)
            #expect(unknown.text == known.text, "the answer does not tell whether the account exists")
            // Asking again at once sends nothing more; bob's letter after it shows the queue got past both.
            _ = try await visitor.post("/forgot-password", ["login": "alice"])
            _ = try await visitor.post("/forgot-password", ["login": "bob"])
            let letters = try await mail.waitForMessages(count: 2)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try mail.messages().count == 2, "one letter for alice, one for bob, none for nobody")
            let alices = try #require(letters.first { $0.recipients == ["alice@example.com"] })
            #expect(alices.subject == "Reset your Berth password")
            let link = try #require(Self.link(in: alices.text ?? "", path: "reset-password"))

            let form = try await visitor.get(link)
            #expect(form.status == 200 && form.text.contains("<strong>alice</strong>"))
            let differ = try await visitor.post(link, ["password": "new password 1", "confirm": "new password 2"])
            #expect(differ.text.contains("The two passwords differ."))
            let short = try await visitor.post(link, ["password": "short", "confirm": "short"])
            #expect(short.status == 400, "the password rule applies, and the link stays good")
            let named = try await visitor.post(link, ["password": "alice in chains", "confirm": "alice in chains"])
            #expect(named.status == 400 && named.text.contains("password must not contain the username"), "the rule knows the link's account")
            let saved = try await visitor.post(link, ["password": "a new password", "confirm": "a new password"])
            #expect(saved.text.contains("Your new password is saved."))
            #expect(try await visitor.post(link, ["password": "another one!", "confirm": "another one!"]).status == 404, "once only")
            #expect(try await visitor.get(link).status == 404)
            #expect(try await panel.browser().signIn("alice", "a new password").status == 303)
            #expect(try await panel.browser().signIn("alice", WebSessionTests.password).status == 401)

            // Two uses of one link at once: exactly one sets the password.
            let bobs = try #require(letters.first { $0.recipients == ["bob@example.com"] })
            let token = try #require(Self.link(in: bobs.text ?? "", path: "reset-password")?.split(separator: "/").last.map(String.init))
            async let first = Result { try await panel.panel.passwordResets.redeem(token, newPassword: "first password") }
            async let second = Result { try await panel.panel.passwordResets.redeem(token, newPassword: "second password") }
            let outcomes = await [first, second]
            #expect(outcomes.filter { (try? $0.get()) != nil }.count == 1)

            // Requests at once for one account with no recent link: one statement decides, so one letter.
            let sent = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { try await panel.panel.passwordResets.request(for: "bob") } }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(sent == 1, "\(sent) letters for eight requests at once")
            #expect(try await panel.panel.passwordResets.request(for: "bob") == false, "and none more within the quiet period")
        }
    }

    @Test("an e-mail address without an account gets an invitation; its link makes the account, a subuser already, once")
    func invitation() async throws {
        let mail = try await TestMailServer.start()
        defer { mail.stop() }
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            var fields = InstanceTests.deployFields(node: try #require(panel.node).id, user: owner, port: TestPorts.next())
            fields["start"] = false
            try await InstanceTests.importEchoImage(panel)
            let id = try #require(try await panel.request(.POST, "/api/instances/deploy", fields).object["Id"] as? String)
            let subusers = "/api/v1/instances/\(id)/subusers"
            let invite: [String: Any] = ["user": "carol@example.com", "permissions": ["console.read"]]

            let refused = try await panel.request(.POST, subusers, invite)
            #expect(refused.status == 404 && refused.error?.contains("invitations need e-mail") == true, "\(refused.text)")
            try await Self.setUpMail(panel, port: mail.port)
            let invited = try await panel.request(.POST, subusers, invite)
            #expect(invited.status == 202 && invited.object["email"] as? String == "carol@example.com", "\(invited.text)")
            let letter = try #require(try await mail.waitForMessages(count: 1).first)
            #expect(letter.recipients == ["carol@example.com"] && letter.subject == "An administrator invites you to game on Berth")
            let replaced = try #require(Self.link(in: letter.text ?? "", path: "invitations"))
            // Inviting the address again replaces the invitation: the first link stops working.
            #expect(try await panel.request(.POST, subusers, invite).status == 202)
            let again = try #require(try await mail.waitForMessages(count: 2).last)
            let link = try #require(Self.link(in: again.text ?? "", path: "invitations"))
            #expect(link != replaced)
            #expect(try await panel.browser().get(replaced).status == 404)

            let guest = panel.browser()
            let page = try await guest.get(link)
            #expect(page.status == 200 && page.text.contains("Join game") && page.text.contains("read the console"))
            let weak = try await guest.post(link, ["username": "carol", "password": "short"])
            #expect(weak.status == 400, "a refused account leaves the invitation usable")
            let accepted = try await guest.post(link, ["username": "carol", "password": "a fine new word"])
            #expect(accepted.text.contains("Your account is made."))
            #expect(try await guest.post(link, ["username": "carol2", "password": "a fine new word"]).status == 404, "once only")
            let carol = try #require(try await panel.panel.users.find(.username("carol")))
            #expect(carol.email == "carol@example.com" && !carol.admin)
            let listed = try await panel.request(.GET, subusers).array
            #expect(listed.map { $0["username"] as? String } == ["carol"] && listed.first?["permissions"] as? [String] == ["console.read"])
            #expect(try await panel.browser().signIn("carol", "a fine new word").status == 303)
            try await panel.deleteInstance(id)
        }
    }

    /// Points the panel at the test server, as an admin does on the Mail page.
    static func setUpMail(_ panel: TestPanel, port: Int) async throws {
        let fields: [String: JSONValue] = [
            "host": .string("127.0.0.1"), "port": .string(String(port)), "security": .string("none"),
            "fromAddress": .string("panel@example.com"),
        ]
        _ = try await panel.panel.mailSettings.save(RequestFields(values: fields))
    }

    /// The path of the first link to `/path/<token>` in a letter.
    static func link(in text: String, path: String) -> String? {
        guard let range = text.range(of: "/\(path)/[0-9a-f]{64}", options: .regularExpression) else { return nil }
        return String(text[range])
    }
}
