import BerthHTTP
import FluentKit
import Foundation
import HummingbirdOTP
import SQLKit
import Testing

@testable import BerthPanel
@testable import BerthWeb

/// The secrets the panel must keep whole (each node's two channel secrets, users' TOTP secrets) are sealed
/// with a key from `panel.key`: the database alone, or a copy of it, holds none of them.
@Suite("Secrets sealed at rest")
struct StoredSecretsTests {
    private static func rawColumn(_ column: String, of table: String, _ panel: Panel) async throws -> [String] {
        try await panel.database.sql().raw("SELECT \(unsafeRaw: column) AS value FROM \(unsafeRaw: table) WHERE \(unsafeRaw: column) IS NOT NULL")
            .all().map { try $0.decode(column: "value", as: String.self) }
    }

    @Test("a node's token and callback key are sealed in its row, and the panel still reaches the node with them")
    func nodeSecretsAreSealed() async throws {
        try await InProcessPanel.with { panel in
            let created = try await panel.request(
                .POST,
                "/api/nodes/create",
                ["name": "eu-1", "tags": "eu", "ram": "16G", "disk": "200GB", "processor": "8", "address": "10.0.0.5", "port": "3002"]
            )
            let command = try #require(created.object["configureCommand"] as? String)
            let credentials = try #require(command.split(separator: " ").dropFirst().first.flatMap { NodeCredentials(token: String($0)) })

            let stored = try await Self.rawColumn("token", of: "nodes", panel.panel) + Self.rawColumn("callback_key", of: "nodes", panel.panel)
            #expect(stored.count == 2 && stored.allSatisfy { $0.hasPrefix("sealed:v1:") })
            #expect(!stored.contains { $0.contains(credentials.toNode) || $0.contains(credentials.toPanel) })
            if case .sqlite(let path) = panel.panel.configuration.databaseLocation {
                // Every byte SQLite wrote, the write-ahead log included.
                let files = [path, path + "-wal"].compactMap { FileManager.default.contents(atPath: $0) }
                for secret in [credentials.toNode, credentials.toPanel] {
                    #expect(!files.contains { $0.range(of: Data(secret.utf8)) != nil }, "the database files never hold a node secret")
                }
            }
            let node = try #require(try await Node.query(on: panel.panel.database.db()).first())
            #expect(try node.token(openedWith: panel.panel.box) == credentials.toNode)
            #expect(try node.callbackKey(openedWith: panel.panel.box) == credentials.toPanel)
        }
    }

    @Test("a TOTP secret is sealed, and sign-in with a code still works")
    func totpSecretIsSealed() async throws {
        try await InProcessPanel.with { panel in
            _ = try await panel.createUser("alice")
            let user = try #require(try await panel.panel.users.find(.username("alice")))
            let secret = TwoFactor.newSecret()
            try await panel.panel.users.turnOnTwoFactor(for: user, secret: secret, lastUsedStep: nil, recoveryCodes: nil)
            let stored = try await Self.rawColumn("totp_secret", of: "users", panel.panel)
            #expect(stored.count == 1 && stored[0].hasPrefix("sealed:v1:") && !stored[0].contains(secret))

            let browser = panel.browser()
            #expect(try await browser.signIn("alice", WebSessionTests.password).location == "/login/two-factor")
            try await browser.get("/login/two-factor")
            let code = String(format: "%06d", HOTP(secret: secret).compute(counter: UInt64(Int(Date().timeIntervalSince1970) / 30)))
            #expect(try await browser.post("/login/two-factor", ["code": code]).location == "/")
        }
    }

    @Test("a TOTP secret being enrolled is sealed in its web session too, and enrolment still works")
    func enrolmentIsSealed() async throws {
        try await InProcessPanel.with { panel in
            _ = try await panel.createUser("alice")
            let browser = panel.browser()
            #expect(try await browser.signIn("alice", WebSessionTests.password).status == 303)
            let page = try await browser.get("/account/two-factor")
            #expect(page.status == 200)
            let sessions = try await Self.rawColumn("value", of: "web_sessions", panel.panel)
            let enrolling = sessions.compactMap { value -> String? in
                let object = try? JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: Any]
                return object?["enrollingSecret"] as? String
            }
            let sealed = try #require(enrolling.first)
            #expect(sealed.hasPrefix("sealed:v1:"))
            let secret = try panel.panel.users.openEnrolment(sealed)
            #expect(!sessions.contains { $0.contains(secret) }, "the session row never holds the secret itself")
            #expect(page.text.contains(TwoFactor.displayedSecret(TwoFactor.enrolmentURL(secret: secret, username: "alice"))))
            let code = String(format: "%06d", HOTP(secret: secret).compute(counter: UInt64(Int(Date().timeIntervalSince1970) / 30)))
            #expect(try await browser.post("/account/two-factor", ["code": code]).status == 200)
            #expect(try await panel.panel.users.find(.username("alice"))?.hasTwoFactor == true)
        }
    }

    @Test("secrets stored in the clear before are sealed by the migration; another panel.key cannot open them")
    func migrationSealsAndAnotherKeyCannotOpen() async throws {
        try await InProcessPanel.with { panel in
            let created = try await panel.request(
                .POST,
                "/api/nodes/create",
                ["name": "old", "tags": "", "ram": "1G", "disk": "1G", "processor": "1", "address": "10.0.0.6", "port": "3002"]
            )
            #expect(created.status == 201)
            let database = panel.panel.database
            // As a panel from before sealing left it.
            try await database.sql().raw("UPDATE nodes SET token = 'plain-to-node', callback_key = 'plain-to-panel'").run()
            let legacy = try #require(try await Node.query(on: database.db()).first())
            #expect(try legacy.token(openedWith: panel.panel.box) == "plain-to-node", "a row from before still works")

            try await SealStoredSecrets(box: panel.panel.box).prepare(on: database.db())
            let stored = try await Self.rawColumn("token", of: "nodes", panel.panel)
            #expect(stored.count == 1 && stored[0].hasPrefix("sealed:v1:"))
            let node = try #require(try await Node.query(on: database.db()).first())
            #expect(try node.token(openedWith: panel.panel.box) == "plain-to-node")
            #expect(try node.callbackKey(openedWith: panel.panel.box) == "plain-to-panel")

            let otherBox = SecretBox(panelKey: PanelKey(material: .init(size: .bits256)))
            #expect(throws: PanelError.self) { try node.token(openedWith: otherBox) }
            // Sealed for one column, a value cannot be passed off as another's.
            node.sealedCallbackKey = node.sealedToken
            #expect(throws: PanelError.self) { try node.callbackKey(openedWith: panel.panel.box) }
        }
    }

    @Test("the panel key is made once, readable by its owner alone, and kept across starts")
    func panelKeyFile() throws {
        let directory = NSTemporaryDirectory() + "berth-key-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/panel.key"
        let first = try PanelKey.loadOrCreate(at: path)
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        let again = try PanelKey.loadOrCreate(at: path)
        let sealed = try SecretBox(panelKey: first).seal("s", for: "c")
        #expect(try SecretBox(panelKey: again).open(sealed, of: "c") == "s")
        try Data("not a key\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: PanelKeyError.self) { try PanelKey.loadOrCreate(at: path) }
    }
}
