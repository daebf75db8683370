import BerthTestSupport
import Foundation
import NIOHTTP1
import Testing

/// The instance routes' refusals, in-process: every one the seed names (400 for a missing field or an
/// unknown id) without a node or Docker. Deploys that reach a node are tested live in `InstanceTests`.
@Suite("Instance routes' refusals", .timeLimit(.minutes(2)))
struct InstanceRouteTests {
    @Test("deploy names the missing or malformed field, and the user, node or image that does not exist")
    func deployRefusals() async throws {
        try await InProcessPanel.with { panel in
            let user = try await panel.createUser("owner")
            let created = try await panel.request(
                .POST,
                "/api/nodes/create",
                [
                    "name": "n", "ram": "1G", "disk": "1G", "processor": "1", "address": "192.0.2.10", "port": "3002",
                ]
            )
            let node = try #require((created.object["Message"] as? [String: Any])?["id"] as? String)
            let valid: [String: Any] = [
                "image": TestImage.name, "memory": "64M", "cpu": 1, "ports": "25565:25565", "nodeId": node, "name": "x",
                "user": user,
            ]
            let cases: [(drop: String?, change: [String: Any], error: String)] = [
                ("image", [:], "image is required"),
                ("nodeId", [:], "nodeId is required"),
                ("user", [:], "user is required"),
                (nil, ["memory": "lots"], "memory must be a size such as 512, \"512MB\" or \"2G\""),
                (nil, ["memory": "2"], "memory must be at least 6 MiB"),
                (nil, ["cpu": "fast"], "cpu must be a number of cores such as 1, 1.5 or \"150%\""),
                (nil, ["cpu": "0.5%"], "cpu must be at least 0.01 cores (1%), the smallest share Docker gives"),
                (nil, ["ports": "a:b"], "ports must look like \"25565:25565,8080:80\" (container:host)"),
                (
                    nil, ["ports": "80:80"],
                    "ports: host port 80 is below 1024, where the node's own services listen; the panel allows it only with --allow-low-ports"
                ),
                (
                    nil, ["ports": "25565:25565,2222:22"],
                    "ports: host port 22 is below 1024, where the node's own services listen; the panel allows it only with --allow-low-ports"
                ),
                (nil, ["user": "nobody"], "user nobody does not exist"),
                (nil, ["nodeId": "00000000-0000-0000-0000-000000000000"], "node 00000000-0000-0000-0000-000000000000 does not exist"),
            ]
            for (drop, change, error) in cases {
                var fields = valid.merging(change) { _, new in new }
                if let drop { fields[drop] = nil }
                let answer = try await panel.request(.POST, "/api/instances/deploy", fields)
                #expect(answer.status == 400, "\(fields)")
                #expect(answer.error == error)
            }
            // The node has never sent a heartbeat: it takes no deploys for now (503, not a wrong request), and says why.
            let offline = try await panel.request(.POST, "/api/instances/deploy", valid)
            #expect(offline.status == 503)
            #expect(offline.error?.hasPrefix("node n is offline") == true)
            #expect(try await panel.request(.GET, "/api/instances").array.isEmpty, "no refused deploy left a row")
        }
    }

    @Test("reads, delete and suspension answer 400 for a missing or unknown id")
    func unknownIDs() async throws {
        try await InProcessPanel.with { panel in
            let unknown = UUID().uuidString.lowercased()
            let requests: [(NIOHTTP1Method, String, [String: Any], String)] = [
                (.POST, "/api/getInstance", [:], "id is required"),
                (.POST, "/api/getInstance", ["id": unknown], "no instance with that id"),
                (.POST, "/api/getUserInstance", [:], "userId is required"),
                (.POST, "/api/getUserInstance", ["userId": "nobody"], "no user with that userId"),
                (.DELETE, "/api/instance/delete", [:], "id is required"),
                (.DELETE, "/api/instance/delete", ["id": unknown], "no instance with that id"),
                (.POST, "/api/instances/suspend/\(unknown)", [:], "no instance with that id"),
                (.POST, "/api/instances/unsuspend/\(unknown)", [:], "no instance with that id"),
            ]
            for (method, path, fields, error) in requests {
                let answer = try await panel.request(method, path, fields)
                #expect(answer.status == 400, "\(method) \(path) \(fields)")
                #expect(answer.error == error, "\(method) \(path) \(fields)")
            }
            let user = try await panel.createUser("empty")
            let none = try await panel.request(.POST, "/api/getUserInstance", ["userId": user])
            #expect(none.status == 200)
            #expect(none.array.isEmpty)
        }
    }
}
