import BerthTestSupport
import Foundation
import Testing

@testable import BerthPanel
@testable import BerthWeb

/// The backups page on a real node, as a browser without scripts uses it.
@Suite("The backups page", .timeLimit(.minutes(4)))
struct BackupPageTests {
    @Test("an owner makes, restores (only when confirmed), locks and deletes a backup; each is audited; without the permission no page")
    func ownersWork() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            _ = try await panel.createUser("helper")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            let volume = panel.dataDirectory + "/node/volumes/" + id
            let browser = panel.browser()
            #expect(try await browser.signIn("owner", WebSessionTests.password).status == 303)
            let instancePage = try await browser.get("/instances/\(id)").text
            #expect(instancePage.contains(#"href="/instances/\#(id)/backups" id="open-backups""#))
            #expect(instancePage.contains(#"id="reinstall-backup-first""#), "a reinstall offers a backup first")
            #expect(try await browser.get("/instances/\(id)/backups").text.contains(#"id="no-backups""#))
            #expect(!instancePage.contains(#"id="backup-under-way""#))
            // A backup being made shows on the instance page too (a record as one begun looks; its node says nothing of it).
            let underWay = Backup(id: UUID(), instanceID: try #require(UUID(uuidString: id)), name: "being made")
            try await underWay.create(on: panel.panel.database.db())
            #expect(try await browser.get("/instances/\(id)").text.contains(#"<progress max="100" value="0" id="backup-under-way""#))
            try await underWay.delete(on: panel.panel.database.db())

            let made = try await browser.post("/instances/\(id)/backups", ["name": "<b>nightly</b>", "stop-first": "on"])
            #expect(made.location == "/instances/\(id)/backups")
            let started = try await browser.get("/instances/\(id)/backups").text
            #expect(started.contains("The backup &lt;b&gt;nightly&lt;/b&gt; is being made; the instance is stopped for it"), "the name is escaped")
            let backup = try #require(try await panel.request(.GET, "/api/v1/instances/\(id)/backups").array.first?["id"] as? String)
            #expect(try await BackupTests.finished(panel, id, backup)["state"] as? String == "ready")
            let listed = try await browser.get("/instances/\(id)/backups").text
            #expect(listed.contains(#"<tr id="backup-\#(backup)" data-name="&lt;b&gt;nightly&lt;/b&gt;" data-state="ready">"#))
            #expect(listed.contains("1 of 3 backup(s) kept, "), "\(listed)")
            let stored = try #require(try await panel.request(.GET, "/api/v1/instances/\(id)/backups").array.first?["size"] as? Int)
            #expect(listed.contains("kept, \(ByteCount.text(Int64(stored))) on the node"))
            let download = try await browser.get("/instances/\(id)/backups/\(backup)/download")
            let archive = panel.dataDirectory + "/node/backups/\(id)/\(backup).tar.zst"
            let size = try FileManager.default.attributesOfItem(atPath: archive)[.size] as? Int
            #expect(download.status == 200 && download.headers.first(name: "content-length").flatMap(Int.init) == size)
            #expect(download.headers.first(name: "content-disposition")?.contains("backup-\(backup).tar.zst") == true)

            try Data("changed".utf8).write(to: URL(fileURLWithPath: volume + "/installed.txt"))
            _ = try await browser.post("/instances/\(id)/backups/\(backup)/restore")
            #expect(try await browser.get("/instances/\(id)/backups").text.contains("Tick the box to confirm"))
            #expect(try String(contentsOfFile: volume + "/installed.txt", encoding: .utf8) == "changed", "not restored unconfirmed")
            _ = try await browser.post("/instances/\(id)/backups/\(backup)/restore", ["confirm-\(backup)": "on"])
            #expect(try await browser.get("/instances/\(id)/backups").text.contains("The backup is restored"))
            #expect(try String(contentsOfFile: volume + "/installed.txt", encoding: .utf8) != "changed")
            try Data("changed again".utf8).write(to: URL(fileURLWithPath: volume + "/installed.txt"))
            _ = try await browser.post("/instances/\(id)/backups/\(backup)/restore", ["confirm-\(backup)": "on", "path": "installed.txt"])
            #expect(try await browser.get("/instances/\(id)/backups").text.contains("installed.txt is restored from the backup: 1 entry"))
            #expect(try String(contentsOfFile: volume + "/installed.txt", encoding: .utf8) != "changed again")

            _ = try await browser.post("/instances/\(id)/backups/\(backup)/lock", ["locked": "true"])
            _ = try await browser.post("/instances/\(id)/backups/\(backup)/delete")
            #expect(try await browser.get("/instances/\(id)/backups").text.contains("The backup is locked; unlock it before deleting it"))
            _ = try await browser.post("/instances/\(id)/backups/\(backup)/lock", ["locked": "false"])
            _ = try await browser.post("/instances/\(id)/backups/\(backup)/delete")
            #expect(try await browser.get("/instances/\(id)/backups").text.contains(#"id="no-backups""#))
            let actions = try await panel.panel.audit.search(AuditFilter(), skipping: 0, count: 100).map(\.action)
            for action in [
                "started backup <b>nightly</b>", "restored backup \(backup)", "restored installed.txt from backup \(backup)",
                "locked backup <b>nightly</b>", "deleted backup \(backup)",
            ] {
                #expect(actions.contains(action), "\(action) in \(actions)")
            }

            let helpersBrowser = panel.browser()
            #expect(try await helpersBrowser.signIn("helper", WebSessionTests.password).status == 303)
            #expect(try await helpersBrowser.get("/instances/\(id)/backups").status == 404, "a stranger learns nothing")
            _ = try await browser.post("/instances/\(id)/subusers", ["user": "helper", "permission": "console.read"])
            #expect(try await helpersBrowser.get("/instances/\(id)/backups").status == 403)
            #expect(!(try await helpersBrowser.get("/instances/\(id)").text.contains("open-backups")))
        }
    }
}
