import BerthProtocol
import BerthTestSupport
import Foundation
import NIOHTTP1
import Testing

@testable import BerthPanel

@Suite("The command line, on the data of a running panel", .timeLimit(.minutes(2)))
struct CommandLineTests {
    @Test("version and --version say which Berth this is; a wrong log option is refused before anything starts")
    func version() async throws {
        for arguments in [["version"], ["--version"]] {
            let printed = try await BerthExecutable.run(arguments)
            #expect(printed.status == 0 && printed.output == "berth \(BerthVersion.current)\n", "\(arguments): \(printed.output)")
        }
        let wrongFormat = try await BerthExecutable.run(["serve", "--log-format", "xml", "--data", "/nonexistent"])
        #expect(wrongFormat.status != 0 && wrongFormat.output.contains("--log-format"), "\(wrongFormat.output)")
        let wrongLevel = try await BerthExecutable.run(["panel", "--log-level", "loud", "--data", "/nonexistent"])
        #expect(wrongLevel.status != 0 && wrongLevel.output.contains("--log-level"), "\(wrongLevel.output)")
    }

    @Test("apikey create prints the key alone on its last line; list and revoke act on the running panel")
    func apiKeys() async throws {
        try await TestPanel.with { panel in
            let environment = panel.commandEnvironment
            let created = try await BerthExecutable.run(
                ["apikey", "create", "--name", "from-cli", "--data", panel.dataDirectory],
                environment: environment
            )
            #expect(created.status == 0, "\(created.output)")
            let key = created.lastLine
            #expect(key.hasPrefix("berth_"))
            #expect(try await panel.request(.GET, "/api/users", apiKey: .some(key)).status == 200)

            let reader = try await BerthExecutable.run(
                ["apikey", "create", "--name", "dashboard", "--scope", "read", "--scope", "nodes:write", "--data", panel.dataDirectory],
                environment: environment
            )
            #expect(reader.status == 0, "\(reader.output)")
            #expect(try await panel.request(.GET, "/api/users", apiKey: .some(reader.lastLine)).status == 200)
            let write = #"{"username": "x", "email": "x@example.com", "password": "long enough"}"#
            #expect(try await panel.request(.POST, "/api/auth/create-user", json: write, apiKey: .some(reader.lastLine)).status == 403)
            let bogus = try await BerthExecutable.run(
                ["apikey", "create", "--name", "bogus", "--scope", "root", "--data", panel.dataDirectory],
                environment: environment
            )
            #expect(bogus.status != 0)
            #expect(bogus.output.contains("root is not a scope; scopes are admin, read, users:read"), "\(bogus.output)")

            let listed = try await BerthExecutable.run(["apikey", "list", "--data", panel.dataDirectory], environment: environment)
            #expect(listed.output.contains("from-cli"))
            #expect(!listed.output.contains(key), "a key is never shown again")
            let dashboard = try #require(listed.output.split(separator: "\n").first { $0.contains("dashboard") })
            #expect(dashboard.contains("[nodes:write read]"), "\(dashboard)")
            #expect(!dashboard.contains("last used never"), "its use shows: \(dashboard)")
            #expect(listed.output.split(separator: "\n").first { $0.contains("from-cli") }?.contains("[admin]") == true)

            let revoked = try await BerthExecutable.run(["apikey", "revoke", "from-cli", "--data", panel.dataDirectory], environment: environment)
            #expect(revoked.status == 0)
            #expect(try await panel.request(.GET, "/api/users", apiKey: .some(key)).status == 401)
            let again = try await BerthExecutable.run(["apikey", "revoke", "from-cli", "--data", panel.dataDirectory], environment: environment)
            #expect(again.status != 0)
            #expect(again.output.contains("no unrevoked API key with that id or name"))
        }
    }

    @Test("user create and image import change what the running panel serves")
    func usersAndImages() async throws {
        try await TestPanel.with { panel in
            let environment = panel.commandEnvironment
            let user = try await BerthExecutable.run(
                [
                    "user", "create", "--username", "ops", "--email", "ops@example.com", "--password", "long enough", "--admin", "--data",
                    panel.dataDirectory,
                ],
                environment: environment
            )
            #expect(user.status == 0, "\(user.output)")
            let users = try await panel.request(.GET, "/api/users").array
            #expect(users.first { $0["username"] as? String == "ops" }?["admin"] as? Bool == true)
            let short = try await BerthExecutable.run(
                ["user", "create", "--username", "x", "--email", "x@example.com", "--password", "short", "--data", panel.dataDirectory],
                environment: environment
            )
            #expect(short.status != 0)
            #expect(short.output.contains("password must be at least 8 characters and at most 72 bytes (UTF-8) long"))

            // Secrets stay out of ps: the password from standard input, or from a file.
            let fromInput = try await BerthExecutable.run(
                ["user", "create", "--username", "piped", "--email", "piped@example.com", "--password-file", "-", "--data", panel.dataDirectory],
                environment: environment,
                input: "from standard input\n"
            )
            #expect(fromInput.status == 0, "\(fromInput.output)")
            let passwordFile = NSTemporaryDirectory() + "berth-cli-password-\(UUID().uuidString)"
            try Data("from a file\n".utf8).write(to: URL(fileURLWithPath: passwordFile))
            defer { try? FileManager.default.removeItem(atPath: passwordFile) }
            let fromFile = try await BerthExecutable.run(
                [
                    "user", "create", "--username", "filed", "--email", "filed@example.com", "--password-file", passwordFile, "--data",
                    panel.dataDirectory,
                ],
                environment: environment
            )
            #expect(fromFile.status == 0, "\(fromFile.output)")
            let store = panel.panel.users
            for (name, password) in [("piped", "from standard input"), ("filed", "from a file")] {
                let user = try #require(try await store.find(.username(name)))
                #expect(try await Passwords.verify(password, hash: user.passwordHash), "\(name)'s password is the line given, without its newline")
            }
            let both = try await BerthExecutable.run(
                [
                    "user", "create", "--username", "b", "--email", "b@example.com", "--password", "long enough", "--password-file", "-", "--data",
                    panel.dataDirectory,
                ],
                environment: environment
            )
            #expect(both.status != 0 && both.output.contains("give --password or --password-file, not both"))

            let file = NSTemporaryDirectory() + "berth-cli-image-\(UUID().uuidString).json"
            try Data(#"{"Name": "From CLI", "Image": "berth-test/busybox:latest"}"#.utf8).write(to: URL(fileURLWithPath: file))
            let imported = try await BerthExecutable.run(["image", "import", file, "--data", panel.dataDirectory], environment: environment)
            #expect(imported.status == 0, "\(imported.output)")
            #expect(try await panel.request(.GET, "/api/images").array.contains { $0["Name"] as? String == "From CLI" })
        }
    }

    @Test("daemon configure writes the node's settings, readable only by their owner")
    func daemonConfigure() async throws {
        let directory = NSTemporaryDirectory() + "berth-configure-\(UUID().uuidString.prefix(8))"
        let token = String(repeating: "ab", count: 32)
        let configured = try await BerthExecutable.run([
            "daemon", "configure", "--panel", "https://panel.example.com", "--token", token, "--data", directory,
        ])
        #expect(configured.status == 0, "\(configured.output)")
        let path = directory + "/daemon.json"
        let settings = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        #expect(settings?["panelURL"] as? String == "https://panel.example.com")
        #expect(settings?["token"] as? String == token)
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        let refused = try await BerthExecutable.run(["daemon", "configure", "--panel", "not a url", "--token", token, "--data", directory])
        #expect(refused.status != 0)
        #expect(refused.output.contains("--panel must be an http or https URL"))

        // The token from standard input, so it is never an argument ps can show.
        let piped = String(repeating: "cd", count: 32)
        let fromInput = try await BerthExecutable.run(
            ["daemon", "configure", "--panel", "https://panel.example.com", "--token-file", "-", "--data", directory],
            input: piped + "\n"
        )
        #expect(fromInput.status == 0, "\(fromInput.output)")
        let reread = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        #expect(reread?["token"] as? String == piped)
        let junk = try await BerthExecutable.run(
            ["daemon", "configure", "--panel", "https://panel.example.com", "--token-file", "-", "--data", directory],
            input: "short\n"
        )
        #expect(junk.status != 0 && junk.output.contains("the token does not look like a node token"))
    }
}
