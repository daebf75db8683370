import Foundation
import Testing

@Suite("Users", .timeLimit(.minutes(2)))
struct UserTests {
    @Test("create-user answers 201 with the user and never the password or its hash")
    func create() async throws {
        try await InProcessPanel.with { panel in
            let created = try await panel.request(
                .POST,
                "/api/auth/create-user",
                [
                    "username": "Alice", "email": "Alice@Example.com", "password": "correct horse", "userId": "billing-42", "admin": true,
                ]
            )
            #expect(created.status == 201)
            #expect(created.object["userId"] as? String == "billing-42")
            #expect(created.object["username"] as? String == "Alice")
            #expect(created.object["admin"] as? Bool == true)
            #expect(Set(created.object.keys) == ["userId", "username", "email", "admin"])
            #expect(!created.text.contains("correct horse") && !created.text.contains("$2"))

            let generated = try await panel.request(
                .POST,
                "/api/auth/create-user",
                ["username": "bob", "email": "bob@example.com", "password": "12345678", "admin": "true"]
            )
            #expect(generated.status == 201)
            #expect((generated.object["userId"] as? String)?.count == 36)
            #expect(generated.object["admin"] as? Bool == false, "admin only for a real boolean true")

            let all = try await panel.request(.GET, "/api/users")
            #expect(all.status == 200)
            #expect(all.array.compactMap { $0["username"] as? String }.sorted() == ["Alice", "bob"])
            #expect(!all.text.contains("password") && !all.text.contains("$2"))
        }
    }

    @Test("duplicates are 409, case-insensitively; bad fields are 400 naming the field")
    func refusals() async throws {
        try await InProcessPanel.with { panel in
            _ = try await panel.createUser("carol", userID: "c-1")
            for fields: [String: Any] in [
                ["username": "CAROL", "email": "other@example.com", "password": "12345678"],
                ["username": "other", "email": "Carol@Example.com", "password": "12345678"],
                ["username": "other2", "email": "o2@example.com", "password": "12345678", "userId": "c-1"],
            ] {
                let answer = try await panel.request(.POST, "/api/auth/create-user", fields)
                #expect(answer.status == 409)
                #expect(answer.error?.contains("already exists") == true)
            }
            let cases: [([String: Any], String)] = [
                (["email": "d@example.com", "password": "12345678"], "username is required"),
                (["username": "d", "password": "12345678"], "email is required"),
                (["username": "d", "email": "d@example.com"], "password is required"),
                (["username": "d", "email": "d@example.com", "password": "short"], "password must be 8 to 72 bytes long"),
                (["username": "d", "email": "not-an-email", "password": "12345678"], "email must be an email address"),
                (["username": "d e", "email": "d@example.com", "password": "12345678"], "username must be 1 to 64 letters, digits, '.', '_' or '-'"),
                (["username": ["x"], "email": "d@example.com", "password": "12345678"], "username must be a string"),
            ]
            for (fields, error) in cases {
                let answer = try await panel.request(.POST, "/api/auth/create-user", fields)
                #expect(answer.status == 400)
                #expect(answer.error == error)
            }
            #expect(try await panel.request(.GET, "/api/users").array.count == 1, "nothing was created by the refused requests")
        }
    }

    @Test("getUser finds by email or username with 201, and says 400 otherwise")
    func getUser() async throws {
        try await InProcessPanel.with { panel in
            let id = try await panel.createUser("dave")
            let byName = try await panel.request(.POST, "/api/getUser", ["type": "username", "value": "DAVE"])
            #expect(byName.status == 201)
            #expect(byName.object["userId"] as? String == id)
            let byEmail = try await panel.request(.POST, "/api/getUser", ["type": "email", "value": "dave@example.com"])
            #expect(byEmail.status == 201)
            #expect(byEmail.object["username"] as? String == "dave")
            let missing = try await panel.request(.POST, "/api/getUser", ["type": "email", "value": "nobody@example.com"])
            #expect(missing.status == 400)
            #expect(missing.error == "no user with that email")
            #expect(try await panel.request(.POST, "/api/getUser", ["type": "id", "value": "x"]).error == "type must be \"email\" or \"username\"")
            #expect(try await panel.request(.POST, "/api/getUser", ["type": "email"]).error == "value is required")
        }
    }

    @Test("bodies that are not JSON objects, too large, or nested too deeply are refused and change nothing")
    func badBodies() async throws {
        try await InProcessPanel.with { panel in
            let notJSON = try await panel.request(.POST, "/api/auth/create-user", json: "username=eve")
            #expect(notJSON.status == 400)
            #expect(notJSON.error == "the body must be a JSON object")
            #expect(try await panel.request(.POST, "/api/auth/create-user", json: "[1,2]").status == 400)
            let large = try await panel.request(.POST, "/api/auth/create-user", json: "{\"username\": \"\(String(repeating: "e", count: 300_000))\"}")
            #expect(large.status == 413)
            let deep = try await panel.request(
                .POST,
                "/api/auth/create-user",
                json: String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
            )
            #expect(deep.status == 400)
            #expect(deep.error == "the body is nested too deeply")
            #expect(try await panel.request(.GET, "/api/users").array.isEmpty)
        }
    }
}
