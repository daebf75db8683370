import BerthTestSupport
import FluentKit
import Foundation
import Testing

@testable import BerthPanel

/// What a move between nodes refuses before anything is sent, through the API and the admin's page. (Moves
/// that happen, and one the network breaks, need a second node with an engine of its own: the cluster test.)
@Suite("Moving an instance: refusals, the API and the admin's form", .timeLimit(.minutes(3)))
struct TransferRouteTests {
    @Test("a move to its own node, an unknown or offline node, or by a user's key is refused with its reason, and nothing moves")
    func refusals() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            let silent = try await panel.request(
                .POST,
                "/api/nodes/create",
                ["name": "silent", "tags": "", "ram": "4G", "disk": "10G", "processor": "2", "address": "127.0.0.1", "port": "\(TestPorts.next())"]
            )
            let silentID = try #require((silent.object["Message"] as? [String: Any])?["id"] as? String)

            let own = try await panel.request(.POST, "/api/v1/instances/\(id)/transfer", ["node": node.id])
            #expect(own.status == 400 && own.error?.contains("is on node") == true, "\(own.text)")
            let unknown = try await panel.request(.POST, "/api/v1/instances/\(id)/transfer", ["node": UUID().uuidString])
            #expect(unknown.status == 400 && unknown.error?.hasPrefix("node: no node") == true, "\(unknown.text)")
            let missing = try await panel.request(.POST, "/api/v1/instances/\(id)/transfer", [:])
            #expect(missing.status == 400 && missing.error == "node is required", "\(missing.text)")
            let offline = try await panel.request(.POST, "/api/v1/instances/\(id)/transfer", ["node": silentID])
            #expect(offline.status == 503 && offline.error == "node silent is offline: its daemon has never sent a heartbeat", "\(offline.text)")
            let nobody = try await panel.request(.POST, "/api/v1/instances/\(UUID().uuidString)/transfer", ["node": silentID])
            #expect(nobody.status == 404, "\(nobody.text)")
            let usersKey = try await panel.panel.createAPIKey(name: "owner's", scopes: "instances:write", owner: owner)
            let asUser = try await panel.request(.POST, "/api/v1/instances/\(id)/transfer", ["node": silentID], apiKey: .some(usersKey))
            #expect(asUser.status == 403, "an owner may not move their instance between nodes: \(asUser.text)")

            let transfers = try await panel.request(.GET, "/api/v1/instances/\(id)/transfers")
            #expect(transfers.status == 200 && transfers.array.isEmpty, "a refused move leaves no record: \(transfers.text)")
            let instance = try await panel.request(.POST, "/api/getInstance", ["id": id])
            #expect((instance.object["Node"] as? [String: Any])?["id"] as? String == node.id)
            #expect((instance.object["Node"] as? [String: Any])?["status"] as? String == "online")
            let silentUUID = try #require(UUID(uuidString: silentID))
            let allocations = try await Allocation.query(on: panel.panel.database.db()).filter(\.$node.$id == silentUUID).count()
            #expect(allocations == 0, "no port was reserved on the refused node")

            // The admin's page offers every other node, and says why a move is refused.
            _ = try await panel.panel.createUser(username: "root", email: "root@example.com", password: WebSessionTests.password, admin: true)
            let admin = panel.browser()
            #expect(try await admin.signIn("root", WebSessionTests.password).status == 303)
            let page = try await admin.get("/admin/instances")
            #expect(page.text.contains(#"action="/admin/instances/\#(id)/transfer""#))
            #expect(page.text.contains(#"<option value="\#(silentID)">silent</option>"#), "the other node is offered")
            #expect(!page.text.contains(#"<option value="\#(node.id)">"#), "its own node is not")
            let moved = try await admin.post("/admin/instances/\(id)/transfer", ["node": silentID])
            #expect(moved.status == 303)
            let after = try await admin.get("/admin/instances")
            #expect(after.text.contains("Node silent is offline: its daemon has never sent a heartbeat."), "the refusal, on the page")
        }
    }
}
