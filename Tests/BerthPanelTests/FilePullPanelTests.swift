import BerthTestSupport
import Foundation
import Testing

@testable import BerthPanel
@testable import BerthWeb

/// Files fetched from a URL through the panel, from a web server of the test's own (``TestOrigin``): the
/// API and the folder page, who may, the image's denylist, and the node's refusals passed on with their
/// reasons. The hostile servers themselves are the daemon's tests (`FilePullTests`). Serialized: both
/// tests route the one address into a namespace.
@Suite("Files fetched from a URL through the panel", .serialized, .timeLimit(.minutes(4)))
struct FilePullPanelTests {
    /// Not the daemon's tests' origin, whose route those tests add meanwhile.
    static let origin = TestOrigin(address: "198.51.100.21")

    static func pull(_ panel: TestPanel, _ id: String, _ fields: [String: Any], key: String) async throws -> HTTPAnswer {
        try await panel.request(
            .POST,
            FileAPITests.files(id, "/pull"),
            json: try FileAPITests.json(fields),
            apiKey: .some(key)
        )
    }

    @Test("the API fetches into the folder for those with files.write, keeps to the denylist, and passes on why a fetch failed")
    func throughTheAPI() async throws {
        try await Self.origin.serving {
            try await TestPanel.with(withNode: true) { panel in
                let owner = try await panel.createUser("owner")
                let reader = try await panel.createUser("reader")
                let id = try await FileAPITests.deployReadyGuarded(panel, owner: owner)
                let ownersKey = try await panel.panel.createAPIKey(name: "owner's", scopes: "instances:write", owner: owner)
                let readersKey = try await panel.panel.createAPIKey(name: "reader's", scopes: "instances:write", owner: reader)
                _ = try await panel.request(
                    .POST,
                    "/api/v1/instances/\(id)/subusers",
                    json: try FileAPITests.json(["user": "reader", "permissions": ["files.read"]]),
                    apiKey: .some(ownersKey)
                )
                let plugin = Self.origin.url + "/plugin.jar"
                let volume = panel.dataDirectory + "/node/volumes/" + id

                let denied = try await Self.pull(panel, id, ["url": plugin, "folder": "plugins"], key: ownersKey)
                #expect(
                    denied.status == 403 && denied.error == "plugins/plugin.jar is on the image's list of files that may not be changed or read here"
                )
                let byReader = try await Self.pull(panel, id, ["url": plugin, "name": "plugin.bin"], key: readersKey)
                #expect(byReader.status == 403 && byReader.error == "you may not change files here; that takes the files.write permission")

                let fetched = try await Self.pull(panel, id, ["url": plugin, "folder": "plugins", "name": "plugin.bin"], key: ownersKey)
                #expect(fetched.status == 201 && fetched.object["size"] as? Int == TestOrigin.payload.count, "\(fetched.text)")
                let download = try await panel.request(
                    .GET,
                    FileAPITests.files(id, "/contents", path: "plugins/plugin.bin"),
                    apiKey: .some(ownersKey)
                )
                #expect(download.status == 200 && download.body == TestOrigin.payload)

                let again = try await Self.pull(panel, id, ["url": plugin, "folder": "plugins", "name": "plugin.bin"], key: ownersKey)
                #expect(again.status == 409 && again.error == "plugins/plugin.bin already exists", "\(again.text)")
                let missing = try await Self.pull(panel, id, ["url": Self.origin.url + "/missing.bin"], key: ownersKey)
                #expect(missing.status == 502 && missing.error == "\(Self.origin.url)/missing.bin answered 404 Not Found; nothing was saved")
                let metadata = try await Self.pull(panel, id, ["url": "http://169.254.169.254/latest/meta-data"], key: ownersKey)
                #expect(metadata.status == 400 && metadata.error?.contains("which is link-local (169.254.169.254") == true, "\(metadata.text)")
                let noURL = try await Self.pull(panel, id, ["folder": "plugins"], key: ownersKey)
                #expect(noURL.status == 400 && noURL.error?.contains("url") == true, "\(noURL.text)")

                #expect(try FileManager.default.contentsOfDirectory(atPath: volume + "/plugins") == ["plugin.bin"], "nothing refused was saved")
            }
        }
    }

    @Test("the folder page's form fetches into the folder shown, says what it got or why not, and audits it")
    func throughTheFolderPage() async throws {
        try await Self.origin.serving {
            try await TestPanel.with(withNode: true) { panel in
                let owner = try await panel.createUser("owner")
                let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
                let browser = panel.browser()
                #expect(try await browser.signIn("owner", WebSessionTests.password).status == 303)
                #expect(try await browser.get("/instances/\(id)/files").text.contains(#"id="pull-form""#))

                // A signed link's secret (its query) and credentials stay out of the audit log.
                let url = Self.origin.url.replacingOccurrences(of: "http://", with: "http://user:secret@") + "/plugin.jar?token=secret"
                let fetched = try await browser.post("/instances/\(id)/files/pull", ["folder": "mods", "url": url, "name": ""])
                #expect(fetched.location == "/instances/\(id)/files?path=mods")
                let page = try await browser.get("/instances/\(id)/files?path=mods")
                #expect(page.text.contains("plugin.jar was fetched (300 KiB).") && page.text.contains("plugin.jar"), "\(page.text)")
                let volume = panel.dataDirectory + "/node/volumes/" + id
                #expect(FileManager.default.contents(atPath: volume + "/mods/plugin.jar") == TestOrigin.payload)

                _ = try await browser.post("/instances/\(id)/files/pull", ["folder": "", "url": "http://127.0.0.1:9/x.jar", "name": ""])
                let refused = try await browser.get("/instances/\(id)/files")
                #expect(refused.text.contains("The file would come from http://127.0.0.1:9/x.jar, which is this node (127.0.0.1)"), "\(refused.text)")

                let actions = try await panel.panel.audit.search(AuditFilter(), skipping: 0, count: 100).map(\.action)
                #expect(actions.contains("fetched file mods/plugin.jar from \(Self.origin.url)/plugin.jar"), "\(actions)")
                #expect(!actions.contains { $0.contains("secret") })
            }
        }
    }
}
