import BerthTestSupport
import Foundation
import Testing

@testable import BerthPanel
@testable import BerthWeb

/// The webhooks pages, as a browser without scripts uses them, with a receiver of the test's own.
@Suite("The webhooks pages", .timeLimit(.minutes(4)))
struct WebhookPageTests {
    @Test("an owner sets up a webhook (secret shown once), sees its deliveries, sends one again and deletes it; admins have a page of their own")
    func ownersAndAdmins() async throws {
        try await TestPanel.with(withNode: true) { panel in
            try await WebhookReceiver.with { receiver, url in
                let owner = try await panel.createUser("owner")
                let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
                try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }
                let browser = panel.browser()
                #expect(try await browser.signIn("owner", WebSessionTests.password).status == 303)
                #expect(try await browser.get("/instances/\(id)").text.contains(#"href="/instances/\#(id)/webhooks" id="open-webhooks""#))
                let base = "/instances/\(id)/webhooks"
                #expect(try await browser.get(base).text.contains(#"id="no-webhooks""#))

                _ = try await browser.post(
                    base,
                    pairs: [("url", url), ("event", "instance.stopped"), ("event", "instance.started"), ("format", "json")]
                )
                let first = try await browser.get(base).text
                #expect(first.contains(#"id="webhook-secret""#), "the secret, once")
                #expect(!(try await browser.get(base).text.contains(#"id="webhook-secret""#)), "and not again")
                let hook = try #require(try await panel.panel.webhooks.list(instances: nil, everyInstance: true).first)
                #expect(hook.events == ["instance.stopped", "instance.started"] && hook.instance == id)

                #expect(try await panel.request(.POST, "/api/v1/instances/\(id)/power", ["action": "stop"]).status == 202)
                let received = try await receiver.wait(for: "the stop") { $0.contains { $0.event == "instance.stopped" && $0.status == 200 } }
                let delivery = try #require(received.last { $0.event == "instance.stopped" }?.delivery)
                #expect(try await browser.get(base).text.contains(#"<tr data-event="instance.stopped" data-state="delivered">"#))
                _ = try await browser.post("\(base)/\(hook.id)/deliveries/\(delivery)/redeliver")
                #expect(try await browser.get(base).text.contains("The delivery is sent again within seconds."))
                _ = try await receiver.wait(for: "the delivery, again") { $0.filter { $0.delivery == delivery }.count == 3 }

                _ = try await browser.post(base, ["url": "ftp://example.com/", "event": "instance.stopped"])
                #expect(try await browser.get(base).text.contains("Url: ftp://example.com/ which is not an http(s) URL"))
                _ = try await browser.post("\(base)/\(hook.id)/delete")
                #expect(try await browser.get(base).text.contains(#"id="no-webhooks""#))
                #expect(try await browser.get("/admin/webhooks").status == 403, "owners have no admin page")

                _ = try await panel.panel.createUser(username: "root", email: "root@example.com", password: WebSessionTests.password, admin: true)
                let admin = panel.browser()
                #expect(try await admin.signIn("root", WebSessionTests.password).status == 303)
                #expect(try await admin.get("/admin/webhooks").text.contains(#"id="no-webhooks""#), "the owner's went; none for every instance")
                let posted = try await admin.post("/admin/webhooks", ["url": url, "event": "instance.deployed"])
                #expect(posted.location == "/admin/webhooks", "\(posted.status) \(posted.text)")
                let adminPage = try await admin.get("/admin/webhooks").text
                #expect(adminPage.contains("data-url=\"\(url)\"") && adminPage.contains(#"id="webhook-secret""#))
                let everywhere = try #require(try await panel.panel.webhooks.list(instances: [], everyInstance: true).first)
                #expect(everywhere.instance == nil)
                let actions = try await panel.panel.audit.search(AuditFilter(), skipping: 0, count: 100).map(\.action)
                for action in ["set up webhook \(url)", "redelivered a webhook delivery to \(url)", "deleted webhook \(url)"] {
                    #expect(actions.contains(action), "\(action) in \(actions)")
                }
            }
        }
    }
}
