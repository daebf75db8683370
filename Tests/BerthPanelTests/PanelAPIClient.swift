import BerthTestSupport
import Foundation
import NIOHTTP1

/// What the panel's suites ask of a panel, live (``TestPanel``) or in-process (``InProcessPanel``):
/// one request with the suite's API key (`apiKey: .some(nil)` sends none), and what is built on it.
protocol PanelAPIClient: Sendable {
    func request(_ method: NIOHTTP1.HTTPMethod, _ path: String, json: String?, apiKey: String??) async throws -> HTTPAnswer
}

extension PanelAPIClient {
    /// A JSON object built from `fields`.
    func request(_ method: NIOHTTP1.HTTPMethod, _ path: String, _ fields: [String: Any]) async throws -> HTTPAnswer {
        let data = try JSONSerialization.data(withJSONObject: fields)
        return try await request(method, path, json: String(decoding: data, as: UTF8.self), apiKey: .none)
    }

    /// A JSON object built from `fields`, sent with `apiKey` (`.none`: the suite's).
    func request(_ method: NIOHTTP1.HTTPMethod, _ path: String, _ fields: [String: Any], apiKey: String??) async throws -> HTTPAnswer {
        let data = try JSONSerialization.data(withJSONObject: fields)
        return try await request(method, path, json: String(decoding: data, as: UTF8.self), apiKey: apiKey)
    }

    /// A user through `/api/auth/create-user`; returns their `userId`.
    func createUser(_ name: String, userID: String? = nil) async throws -> String {
        var fields: [String: Any] = ["username": name, "email": "\(name)@example.com", "password": "correct horse battery"]
        if let userID { fields["userId"] = userID }
        let answer = try await request(.POST, "/api/auth/create-user", fields)
        guard answer.status == 201, let id = answer.object["userId"] as? String else {
            throw TestFailure("create-user answered \(answer.status): \(answer.text)")
        }
        return id
    }

    /// Deletes an instance and waits until it is gone. A node slower than the panel waits (a loaded
    /// Docker removing a container that is still installing or starting) makes the answer 202 and the
    /// panel finishes by itself; either way the instance must be gone within 90 seconds.
    func deleteInstance(_ id: String) async throws {
        let answer = try await request(.DELETE, "/api/instance/delete", ["id": id])
        guard [201, 202].contains(answer.status) else { throw TestFailure("delete answered \(answer.status): \(answer.text)") }
        let deadline = ContinuousClock.now + .seconds(90)
        // The seed's getInstance answers an unknown id with 400.
        while try await request(.POST, "/api/getInstance", ["id": id]).status != 400 {
            guard ContinuousClock.now < deadline else { throw TestFailure("the deleted instance \(id) stayed") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
