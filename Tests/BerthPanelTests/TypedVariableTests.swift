import BerthTestSupport
import Foundation
import Testing

@testable import BerthPanel

@Suite("Typed image variables", .timeLimit(.minutes(3)))
struct TypedVariableTests {
    /// An image whose variables carry egg-style rules, one of them hidden from users.
    static func importTypedImage(into panel: Panel) async throws {
        let file = NSTemporaryDirectory() + "berth-typed-\(UUID().uuidString).json"
        try Data(
            #"""
            {"Name": "Typed", "Image": "berth-test/busybox:latest",
             "Variables": {
               "GAME_PORT": {"name": "Game port", "rules": "required|integer|between:1025,65535", "description": "Where players connect"},
               "MODE": {"rules": "required|string|in:survival,creative", "default": "survival"},
               "SECRET": {"rules": "nullable|string|max:20", "default": "s3cret", "userViewable": false}
             },
             "Startup": "echo {{MODE}} on ${GAME_PORT}; echo ready; while read line; do [ \"$line\" = stop ] && exit 0; done",
             "Ready": "ready", "StopCommand": "stop"}
            """#.utf8
        ).write(to: URL(fileURLWithPath: file))
        _ = try await panel.importImage(at: file)
    }

    @Test("declared variables are checked by their rules on every deploy; the seed's /api still takes undeclared ones, the web form does not")
    func deployChecksRules() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            try await Self.importTypedImage(into: panel.panel)
            let owner = try await panel.createUser("owner")
            func deploy(_ variables: [String: String]) async throws -> HTTPAnswer {
                var fields = InstanceTests.deployFields(node: node.id, user: owner, port: TestPorts.next())
                fields["imagename"] = "Typed"
                fields["variables"] = variables
                fields["start"] = false
                return try await panel.request(.POST, "/api/instances/deploy", fields)
            }
            for (variables, problem) in [
                ([:], "variables: GAME_PORT is required"), (["GAME_PORT": "80"], "variables: GAME_PORT must be at least 1025"),
                (["GAME_PORT": "port"], "variables: GAME_PORT must be a whole number"),
                (["GAME_PORT": "2000", "MODE": "peaceful"], "variables: MODE must be one of survival, creative"),
                (["GAME_PORT": "2000", "SECRET": String(repeating: "x", count: 21)], "variables: SECRET must be at most 20 characters"),
            ] {
                let refused = try await deploy(variables)
                #expect(refused.status == 400, "\(variables)")
                #expect(refused.error == problem)
            }
            // One answer names every wrong field.
            var several = InstanceTests.deployFields(node: node.id, user: owner, port: TestPorts.next())
            several["memory"] = "lots"
            several["cpu"] = "-1"
            let refused = try await panel.request(.POST, "/api/instances/deploy", several)
            #expect(refused.status == 400)
            let parts = (refused.error ?? "").components(separatedBy: "; ")
            #expect(parts.count == 2 && parts[0].hasPrefix("memory") && parts[1].hasPrefix("cpu"), "\(refused.text)")
            #expect(try await panel.request(.GET, "/api/instances").array.isEmpty, "no refused deploy left a row")

            // Skyport's API takes a variable the image does not declare; the instance shows it as such.
            let accepted = try await deploy(["GAME_PORT": "2000", "MODE": "creative", "BILLING_PLAN": "gold"])
            #expect(accepted.status == 201, "\(accepted.text)")
            let id = try #require(accepted.object["Id"] as? String)

            _ = try await panel.panel.createUser(username: "root", email: "root@example.com", password: WebSessionTests.password, admin: true)
            let admin = panel.browser()
            #expect(try await admin.signIn("root", WebSessionTests.password).status == 303)
            let adminPage = try await admin.get("/instances/\(id)")
            #expect(adminPage.text.contains("<code>echo creative on 2000; echo ready;"), "the startup line with the values filled in")
            #expect(adminPage.text.contains("BILLING_PLAN</code> <span class=\"badge badge-offline\""), "an undeclared variable is marked")
            #expect(adminPage.text.contains("Game port <code>GAME_PORT</code>") && adminPage.text.contains("Where players connect"))
            #expect(adminPage.text.contains("SECRET"))

            // The owner sees what the image lets users see: not SECRET, nor the startup line that holds it.
            let browser = panel.browser()
            #expect(try await browser.signIn("owner", WebSessionTests.password).status == 303)
            let ownerPage = try await browser.get("/instances/\(id)")
            #expect(ownerPage.status == 200)
            #expect(ownerPage.text.contains("<code>MODE</code>") && ownerPage.text.contains("creative"))
            #expect(!ownerPage.text.contains("SECRET") && !ownerPage.text.contains("s3cret"))
            #expect(!ownerPage.text.contains("instance-startup"))

            // The web form sets declared variables only.
            try await admin.get("/admin/instances")
            let image = try #require(try await panel.panel.images.all().first { $0.name == "Typed" }?.id?.uuidString.lowercased())
            let form = try await admin.post(
                "/admin/instances",
                [
                    "name": "web", "user": owner, "nodeId": node.id, "image": image, "memory": "64", "cpu": "0.1",
                    "hostPort": "\(TestPorts.next())", "var.\(image).GAME_PORT": "2000", "var.\(image).EXTRA": "1",
                ]
            )
            #expect(form.text.contains("EXTRA is not a variable of the image Typed."), "\(form.status)")
            // The form offers one field per variable, with its default and its rules in words.
            let deployForm = try await admin.get("/admin/instances")
            #expect(deployForm.text.contains(#"name="var.\#(image).MODE" value="survival" required>"#))
            #expect(deployForm.text.contains("required, a whole number from 1025 to 65535"))
            let blank = try await admin.post(
                "/admin/instances",
                [
                    "name": "web", "user": owner, "nodeId": node.id, "image": image, "memory": "64", "cpu": "0.1",
                    "hostPort": "\(TestPorts.next())", "var.\(image).GAME_PORT": "",
                ]
            )
            #expect(blank.text.contains(#"<p class="field-error" id="var.\#(image).GAME_PORT-error">GAME_PORT is required.</p>"#))
            #expect(try await panel.request(.GET, "/api/instances").array.count == 1)

            // Every wrong field at once, each beside its field, the form as it was sent.
            let wrong = try await admin.post(
                "/admin/instances",
                [
                    "name": "kept name", "user": owner, "nodeId": node.id, "image": image, "memory": "lots", "cpu": "-1",
                    "hostPort": "abc", "var.\(image).GAME_PORT": "80", "var.\(image).MODE": "peaceful",
                ]
            )
            #expect(wrong.status == 400)
            #expect(wrong.text.contains("There are 5 problems with this form"), "\(wrong.text)")
            for field in ["deploy-memory", "deploy-cpu", "deploy-ports", "var.\(image).GAME_PORT", "var.\(image).MODE"] {
                #expect(wrong.text.contains(#"aria-invalid="true" aria-describedby="\#(field)-error""#), "\(field)")
                #expect(wrong.text.contains(##"<a href="#\##(field)" data-focus="\##(field)">"##), "the summary leads to \(field)")
            }
            #expect(wrong.text.contains("GAME_PORT must be at least 1025.") && wrong.text.contains("MODE must be one of survival, creative."))
            #expect(wrong.text.contains(#"value="kept name""#) && wrong.text.contains(#"name="var.\#(image).MODE" value="peaceful""#))
            #expect(wrong.text.contains(#"<input name="hostPort" value="abc""#), "the port rows are kept too")
            #expect(try await panel.request(.GET, "/api/instances").array.count == 1, "a refused form deploys nothing")
        }
    }

    @Test("an image whose rules cannot be read is refused at import, naming the variable")
    func malformedRules() async throws {
        try await InProcessPanel.with { panel in
            let file = NSTemporaryDirectory() + "berth-bad-rules-\(UUID().uuidString).json"
            try Data(#"{"Name": "Bad", "Image": "busybox", "Variables": {"SIZE": {"rules": "required|max:lots"}}, "Startup": "x"}"#.utf8)
                .write(to: URL(fileURLWithPath: file))
            await #expect(throws: (any Error).self) { try await panel.panel.importImage(at: file) }
            do {
                _ = try await panel.panel.importImage(at: file)
            } catch {
                #expect("\(error)".contains("Variables.SIZE: the rule max:lots needs a number"), "\(error)")
            }
            #expect(try await panel.request(.GET, "/api/images").array.isEmpty)
        }
    }
}
