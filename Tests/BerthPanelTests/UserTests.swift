import Foundation
import Testing

@testable import BerthPanel

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
                ["username": "bob", "email": "bob@example.com", "password": "a fine password", "admin": "true"]
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
                ["username": "CAROL", "email": "other@example.com", "password": "a fine password"],
                ["username": "other", "email": "Carol@Example.com", "password": "a fine password"],
                ["username": "other2", "email": "o2@example.com", "password": "a fine password", "userId": "c-1"],
            ] {
                let answer = try await panel.request(.POST, "/api/auth/create-user", fields)
                #expect(answer.status == 409)
                #expect(answer.error?.contains("already exists") == true)
            }
            let cases: [([String: Any], String)] = [
                (["email": "d@example.com", "password": "a fine password"], "username is required"),
                (["username": "d", "password": "a fine password"], "email is required"),
                (["username": "d", "email": "d@example.com"], "password is required"),
                (
                    ["username": "d", "email": "d@example.com", "password": "short"],
                    "password must be at least 8 characters and at most 72 bytes (UTF-8) long"
                ),
                (["username": "d", "email": "not-an-email", "password": "a fine password"], "email must be an email address"),
                (
                    ["username": "d e", "email": "d@example.com", "password": "a fine password"],
                    "username must be 1 to 64 letters, digits, '.', '_' or '-'"
                ),
                (["username": ["x"], "email": "d@example.com", "password": "a fine password"], "username must be a string"),
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

    @Test("the first admin's password file is removed once that password is changed")
    func initialPasswordFile() async throws {
        let dataDirectory = NSTemporaryDirectory() + "berth-first-start-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let panel = try await Panel.open(PanelConfiguration(dataDirectory: dataDirectory, databaseURL: try await TestDatabase.freshURL()))
        do {
            let first = try #require(try await panel.prepareFirstStart())
            #expect(FileManager.default.fileExists(atPath: first.passwordFile))
            let admin = try #require(try await panel.users.find(.username("admin")))
            try await panel.users.setPassword("a new and better password", of: admin)
            #expect(!FileManager.default.fileExists(atPath: first.passwordFile), "the stale secret is gone")
            #expect(try await panel.prepareFirstStart() == nil, "a later start writes no new one")
        } catch {
            await panel.close()
            throw error
        }
        await panel.close()
    }

    @Test("a password is a string of 8 to 72 bytes without control characters, not one tried first, taken exactly as sent")
    func passwordRule() async throws {
        try await InProcessPanel.with { panel in
            let cases: [(Any, String)] = [
                (String(repeating: "\u{0}", count: 10), "password must not contain control characters"),
                ("correct\u{0}horse", "password must not contain control characters"),
                ("tab\tseparated pw", "password must not contain control characters"),
                (12_345_678, "password must be a string"),
                (String(repeating: "é", count: 37), "password must be at least 8 characters and at most 72 bytes (UTF-8) long"),
            ]
            for (index, (password, error)) in cases.enumerated() {
                let answer = try await panel.request(
                    .POST,
                    "/api/auth/create-user",
                    ["username": "p\(index)", "email": "p\(index)@example.com", "password": password]
                )
                #expect(answer.status == 400, "\(password)")
                #expect(answer.error == error)
            }
            // The passwords tried first are refused whatever their length: common words, with the digits and
            // symbols people add, runs of the keyboard or the alphabet, repetitions.
            let common = "password is one of the most common passwords; choose one that is harder to guess, such as a few unrelated words"
            let pattern =
                "password follows a pattern (a run of the keyboard or the alphabet, or a repetition) that is tried first; choose one that is harder to guess"
            for (index, (password, error)) in [
                ("password", common), ("Password123!", common), ("P@ssw0rd2024", common), ("iloveyou", common), ("11111111", common),
                ("12345678", pattern), ("87654321", pattern), ("abcdefghij", pattern), ("poiuytrewq", pattern), ("lkjhgfdsa", pattern),
                ("qwertyuiop", common),
                ("1qaz2wsx3edc", pattern), ("abcabcabc", pattern), ("zzzzzzzzzz", pattern), ("ababababab", pattern),
            ].enumerated() {
                let answer = try await panel.request(
                    .POST,
                    "/api/auth/create-user",
                    ["username": "g\(index)", "email": "g\(index)@example.com", "password": password]
                )
                #expect(answer.status == 400 && answer.error == error, "\(password): \(answer.text)")
            }
            // Nor one holding the account's own username, in any case; a name under three characters is too short to count.
            for (username, password) in [("dolores", "dolores-2026!"), ("Ferdinand", "my name is FERDINAND")] {
                let answer = try await panel.request(
                    .POST,
                    "/api/auth/create-user",
                    ["username": username, "email": "\(username)@example.com", "password": password]
                )
                #expect(answer.status == 400 && answer.error == "password must not contain the username", "\(password): \(answer.text)")
            }
            #expect(
                try await panel.request(.POST, "/api/auth/create-user", ["username": "jo", "email": "jo@example.com", "password": "jo jo and more"])
                    .status == 201
            )
            for (index, password) in ["correct horse battery", "bob-password-1", "Tr0ub4dor&3", "password manager says hi"].enumerated() {
                let answer = try await panel.request(
                    .POST,
                    "/api/auth/create-user",
                    ["username": "fine\(index)", "email": "fine\(index)@example.com", "password": password]
                )
                #expect(answer.status == 201, "\(password): \(answer.text)")
            }
            // Spaces belong to the password: the API keeps them, as the web forms do.
            let spaced = try await panel.request(
                .POST,
                "/api/auth/create-user",
                ["username": "roomy", "email": "s@example.com", "password": "  spaced out  "]
            )
            #expect(spaced.status == 201)
            let browser = panel.browser()
            #expect(try await browser.signIn("roomy", "spaced out").status == 401)
            #expect(try await browser.signIn("roomy", "  spaced out  ").status == 303)
        }
    }

    @Test("usernames that would look like another account are refused or are that account")
    func lookAlikeUsernames() async throws {
        try await InProcessPanel.with { panel in
            _ = try await panel.createUser("admin")
            for lookalike in ["admin\u{200D}", "\u{0430}dmin", "adm\u{0131}n", "admin\u{0301}", "ad\u{00AD}min"] {
                let answer = try await panel.request(
                    .POST,
                    "/api/auth/create-user",
                    ["username": lookalike, "email": "x@example.com", "password": "a fine password"]
                )
                #expect(answer.status == 400, "\(lookalike.unicodeScalars.map { String($0.value, radix: 16) })")
                #expect(answer.error == "username must be 1 to 64 letters, digits, '.', '_' or '-'")
            }
            // Full-width letters are the same letters once normalised, and the API trims the name: both are taken.
            let spaced = try await panel.request(
                .POST,
                "/api/auth/create-user",
                ["username": " admin ", "email": "sp@example.com", "password": "a fine password"]
            )
            #expect(spaced.status == 409)
            let fullWidth = try await panel.request(
                .POST,
                "/api/auth/create-user",
                ["username": "\u{FF41}\u{FF44}\u{FF4D}\u{FF49}\u{FF4E}", "email": "fw@example.com", "password": "a fine password"]
            )
            #expect(fullWidth.status == 409)
            #expect(try await panel.request(.GET, "/api/users").array.count == 1)
        }
    }

    @Test("an email address needs a name and a dotted domain")
    func emailRule() async throws {
        try await InProcessPanel.with { panel in
            for (index, email) in ["a@@b.c", "a@b.c@", "@b.c", "a@b", "a@.b.c", "a@b..c", "a b@c.d", "a@b.c\u{0}"].enumerated() {
                let answer = try await panel.request(
                    .POST,
                    "/api/auth/create-user",
                    ["username": "e\(index)", "email": email, "password": "a fine password"]
                )
                #expect(answer.status == 400, "\(email)")
                #expect(answer.error == "email must be an email address")
            }
        }
    }
}
