import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Testing

@Suite("API keys", .timeLimit(.minutes(2)))
struct AuthenticationTests {
    @Test("missing, wrong, malformed and revoked keys are 401 with a JSON error on every route")
    func refusedKeys() async throws {
        // This test fails on purpose more often than the default limit allows.
        try await InProcessPanel.with(failedAuthenticationLimit: 100) { panel in
            let routes: [(method: NIOHTTP1Method, path: String)] = [
                (.GET, "/api/users"), (.POST, "/api/getUser"), (.POST, "/api/auth/create-user"), (.GET, "/api/instances"),
                (.POST, "/api/instances/deploy"), (.DELETE, "/api/instance/delete"), (.POST, "/api/getUserInstance"),
                (.POST, "/api/getInstance"), (.POST, "/api/instances/suspend/x"), (.POST, "/api/instances/unsuspend/x"),
                (.GET, "/api/images"), (.GET, "/api/nodes"), (.POST, "/api/nodes/create"), (.DELETE, "/api/nodes/delete"),
            ]
            for route in routes {
                let missing = try await panel.request(route.method, route.path, apiKey: .some(nil))
                #expect(missing.status == 401, "\(route.path)")
                #expect(missing.error == "missing API key: send it in the x-api-key header")
            }
            let wrongKeys = ["wrong", "berth_000000000000_" + String(repeating: "0", count: 64), panel.apiKey + "0", String(panel.apiKey.dropLast())]
            for key in wrongKeys {
                let answer = try await panel.request(.GET, "/api/users", apiKey: .some(key))
                #expect(answer.status == 401)
                #expect(answer.error == "invalid API key")
            }
            let second = try await panel.panel.createAPIKey(name: "to revoke")
            #expect(try await panel.request(.GET, "/api/users", apiKey: .some(second)).status == 200)
            try await panel.panel.revokeAPIKey("to revoke")
            #expect(try await panel.request(.GET, "/api/users", apiKey: .some(second)).status == 401)
            #expect(try await panel.request(.GET, "/api/users").status == 200, "revoking one key leaves the others working")
            let listed = try await panel.panel.listAPIKeys()
            #expect(listed.map(\.name).sorted() == ["tests", "to revoke"])
            #expect(listed.first { $0.name == "to revoke" }?.revoked == true)
        }
    }

    @Test("repeated failures from one client get 429, and a valid key from that client keeps working")
    func rateLimited() async throws {
        try await InProcessPanel.with { panel in
            for _ in 0..<10 {
                #expect(try await panel.request(.GET, "/api/users", apiKey: .some("nope")).status == 401)
            }
            let limited = try await panel.request(.GET, "/api/users", apiKey: .some("nope"))
            #expect(limited.status == 429)
            #expect(limited.error?.contains("too many failed attempts") == true)
            #expect(try await panel.request(.GET, "/api/users").status == 200, "a billing tool behind the same address is not stopped")
            #expect(try await panel.request(.GET, "/api/users", apiKey: .some(nil)).status == 429)
        }
    }

    @Test("a known path asked with a method it does not have is a 405 that lists the methods it has")
    func methodNotAllowed() async throws {
        try await InProcessPanel.with { panel in
            let answer = try await panel.call(.put, "/api/users")
            #expect(answer.status == 405)
            #expect(answer.error == "PUT is not allowed on /api/users; use GET")
            let deploy = try await panel.call(.get, "/api/instances/deploy")
            #expect(deploy.status == 405 && deploy.error?.hasSuffix("use POST") == true)
            let suspend = try await panel.call(.delete, "/api/instances/suspend/anything")
            #expect(suspend.status == 405, "a route with a parameter matches too")
        }
    }

    @Test("a web page asked with a method it does not have is a 405 page that keeps its Allow header")
    func methodNotAllowedOnAPage() async throws {
        try await InProcessPanel.with { panel in
            let answer = try await panel.client.execute(uri: "/login", method: .delete) { response in
                (status: response.status.code, allow: response.headers[.allow], text: String(buffer: response.body))
            }
            #expect(answer.status == 405)
            #expect(answer.allow == "GET, POST", "before, the page dropped the header: \(answer.allow ?? "none")")
            #expect(answer.text.contains("DELETE is not allowed on /login"))
        }
    }

    @Test("an unknown route is a JSON 404")
    func unknownRoute() async throws {
        try await InProcessPanel.with { panel in
            let answer = try await panel.request(.GET, "/api/nothing")
            #expect(answer.status == 404)
            #expect(answer.error == "no such route: GET /api/nothing")
        }
    }
}

typealias NIOHTTP1Method = NIOHTTP1.HTTPMethod
