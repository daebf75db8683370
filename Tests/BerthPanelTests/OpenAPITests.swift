import Foundation
import NIOHTTP1
import Testing

@Suite("The OpenAPI document")
struct OpenAPITests {
    @Test("it is served behind the key and describes every route of the reference and Berth's own")
    func describesEveryRoute() async throws {
        try await InProcessPanel.with { panel in
            #expect(try await panel.request(.GET, "/api/openapi.json", apiKey: .some(nil)).status == 401)
            let answer = try await panel.request(.GET, "/api/openapi.json")
            #expect(answer.status == 200)
            #expect(answer.object["openapi"] as? String == "3.0.3")
            let paths = try #require(answer.object["paths"] as? [String: [String: Any]])
            let reference: [(String, String)] = [
                ("/api/users", "get"), ("/api/getUser", "post"), ("/api/auth/create-user", "post"), ("/api/instances", "get"),
                ("/api/instances/deploy", "post"), ("/api/instance/delete", "delete"), ("/api/getUserInstance", "post"),
                ("/api/getInstance", "post"), ("/api/instances/suspend/{id}", "post"), ("/api/instances/unsuspend/{id}", "post"),
                ("/api/images", "get"), ("/api/nodes", "get"), ("/api/nodes/create", "post"), ("/api/nodes/delete", "delete"),
                // Berth's own.
                ("/api/v1/nodes/{id}", "patch"), ("/api/v1/instances/{id}", "patch"), ("/api/v1/instances/{id}/power", "post"),
                ("/api/v1/instances/{id}/reinstall", "post"), ("/api/v1/instances/{id}/ports", "post"),
                ("/api/v1/instances/{id}/transfer", "post"), ("/api/v1/instances/{id}/transfers", "get"),
                ("/api/v1/instances/{id}/ports/{port}", "delete"), ("/api/v1/instances/{id}/eula", "post"),
                ("/api/v1/images", "post"), ("/api/v1/images/{id}", "delete"),
                ("/api/v1/instances/{id}/subusers", "get"), ("/api/v1/instances/{id}/subusers", "post"),
                ("/api/v1/instances/{id}/subusers/{userId}", "patch"), ("/api/v1/instances/{id}/subusers/{userId}", "delete"),
                ("/api/v1/instances/{id}/backups", "get"), ("/api/v1/instances/{id}/backups", "post"),
                ("/api/v1/instances/{id}/backups/{backup}", "patch"), ("/api/v1/instances/{id}/backups/{backup}", "delete"),
                ("/api/v1/instances/{id}/backups/{backup}/download", "get"), ("/api/v1/instances/{id}/backups/{backup}/restore", "post"),
                ("/api/v1/instances/{id}/backups/{backup}/link", "post"), ("/api/v1/backup-downloads/{token}", "get"),
                ("/api/v1/instances/{id}/schedules", "get"), ("/api/v1/instances/{id}/schedules", "post"),
                ("/api/v1/instances/{id}/schedules/{schedule}", "patch"), ("/api/v1/instances/{id}/schedules/{schedule}", "delete"),
                ("/api/v1/instances/{id}/schedules/{schedule}/run", "post"),
                ("/api/v1/webhooks", "get"), ("/api/v1/webhooks", "post"), ("/api/v1/webhooks/{webhook}", "delete"),
                ("/api/v1/webhooks/{webhook}/deliveries", "get"), ("/api/v1/webhooks/{webhook}/deliveries/{delivery}/redeliver", "post"),
            ]
            for (path, method) in reference {
                #expect(paths[path]?[method] != nil, "\(method.uppercased()) \(path) is not described")
            }
        }
    }
}
