import BerthTestSupport
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
            let spaced = try await admin.post(
                "/admin/users",
                ["username": " carol ", "email": " carol@example.com ", "password": WebSessionTests.password]
            )
            #expect(spaced.status == 303, "a name and an address typed with spaces around them are taken trimmed")
            #expect(try await panel.panel.users.find(.username("carol"))?.email == "carol@example.com")
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

    @Test func anImageThatCannotBeReadIsRefusedInWordsNotInDecoderTerms() async throws {
        try await InProcessPanel.with { panel in
            let admin = try await Self.signedInAdmin(panel)
            try await admin.get("/admin/images")
            for definition in [#"{"Name": "broken", "#, #"{"Name": 5, "Image": "x", "Startup": "y"}"#, "[1, 2]"] {
                let refused = try await admin.post("/admin/images", ["definition": definition])
                let page = try await admin.get("/admin/images")
                let said = refused.text + page.text
                #expect(!said.contains("DecodingError") && !said.contains("dataCorrupted") && !said.contains("CodingKeys"), "\(definition)")
                #expect(said.contains("neither a Skyport image JSON nor a Pterodactyl egg"), "\(definition): \(said.prefix(400))")
            }
            #expect(try await panel.panel.images.all().isEmpty)
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

/// The deploy form against a real node: what is free on each node, and ports as host → container rows.
@Suite("The deploy form", .timeLimit(.minutes(3)))
struct DeployFormTests {
    @Test("the form says what each node has free and offers its free ports; rows of host → container ports become the instance's")
    func roomAndPortRows() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            try await InstanceTests.importEchoImage(panel)
            let owner = try await panel.createUser("owner")
            let first = TestPorts.next()
            let ranged = try await panel.request(.PATCH, "/api/v1/nodes/\(node.id)", ["portRanges": "\(first)-\(first + 3)"])
            #expect(ranged.status == 200, "\(ranged.text)")
            _ = try await panel.panel.createUser(username: "root", email: "root@example.com", password: WebSessionTests.password, admin: true)
            let admin = panel.browser()
            #expect(try await admin.signIn("root", WebSessionTests.password).status == 303)

            let form = try await admin.get("/admin/instances")
            #expect(form.text.contains(#"data-free-memory="4096""#), "nothing deployed yet: all of the node's memory")
            #expect(form.text.contains(#"data-free-ports="\#(first) \#(first + 1) \#(first + 2) \#(first + 3)""#))
            #expect(form.text.contains(#"id="deploy-memory" name="memory" value="256""#), "limits that fit are proposed")
            #expect(form.text.contains(#"data-proposed-memory="256" data-proposed-cpu="1""#), "and for each node, for the form's script")
            let tight = InstancesPage.proposedLimits(fitting: NodeRoom(memory: 100, cpu: 0.999, disk: 0, freePorts: []))
            #expect(tight.memory == "100" && tight.cpu == "0.99", "never more than is free: \(tight)")

            let image = try #require(try await panel.panel.images.all().first { $0.name == "Echo" }?.id?.uuidString.lowercased())
            let fields = [("name", "rows"), ("user", owner), ("nodeId", node.id), ("image", image), ("memory", "64"), ("cpu", "0.25")]
            let orphan = try await admin.post("/admin/instances", pairs: fields + [("hostPort", ""), ("containerPort", "8080")])
            #expect(orphan.status == 400 && orphan.text.contains("Give each container port the host port that leads to it"))
            let deployed = try await admin.post(
                "/admin/instances",
                pairs: fields + [
                    ("hostPort", "\(first + 1)"), ("containerPort", "7777"), ("hostPort", "\(first + 2)"), ("containerPort", ""),
                    ("hostPort", ""), ("containerPort", ""),
                ]
            )
            #expect(deployed.status == 303, "\(deployed.text)")
            let id = try #require(deployed.location?.split(separator: "/").last.map(String.init))
            let view = try await panel.request(.POST, "/api/getInstance", ["id": id])
            #expect(view.object["Ports"] as? String == "7777:\(first + 1),\(first + 2):\(first + 2)", "\(view.text)")

            let after = try await admin.get("/admin/instances")
            #expect(after.text.contains(#"data-free-memory="4032""#), "what the instance takes is no longer free")
            #expect(after.text.contains(#"data-free-ports="\#(first) \#(first + 3)""#))
            try await panel.deleteInstance(id)
        }
    }
}
