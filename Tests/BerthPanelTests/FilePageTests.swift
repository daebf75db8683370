import BerthTestSupport
import Foundation
import Testing

@testable import BerthPanel
@testable import BerthWeb

/// The file manager's pages on a real node, as a browser without scripts uses them (the scripted parts
/// are in the browser tests): listing, folders, uploads, the editor, rename, copy, permissions, delete,
/// download, and who may see what.
@Suite("The file manager's pages", .timeLimit(.minutes(4)))
struct FilePageTests {
    @Test("an owner lists, makes a folder, uploads, edits, renames, copies, chmods, downloads and deletes; each change is audited")
    func ownersWork() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            let browser = panel.browser()
            #expect(try await browser.signIn("owner", WebSessionTests.password).status == 303)
            #expect(try await browser.get("/instances/\(id)").text.contains(#"href="/instances/\#(id)/files""#))
            let root = try await browser.get("/instances/\(id)/files")
            #expect(root.status == 200 && root.text.contains("installed.txt"))

            let made = try await browser.post("/instances/\(id)/files/folder", ["folder": "", "name": "plugins"])
            #expect(made.location == "/instances/\(id)/files?path=")
            let upload = try await browser.upload("/instances/\(id)/files/contents?path=plugins/config.yml", Data("motd: hi\n".utf8))
            #expect(upload.status == 201, "\(upload.text)")
            let forged = try await browser.upload("/instances/\(id)/files/contents?path=plugins/forged.yml", Data("x".utf8), csrf: false)
            #expect(forged.status == 403)
            let folder = try await browser.get("/instances/\(id)/files?path=plugins")
            #expect(folder.text.contains("config.yml") && !folder.text.contains("forged.yml"))
            #expect(folder.text.contains(#"<span aria-current="page">plugins</span>"#), "the breadcrumbs end at the folder")

            let existing = try await browser.get("/instances/\(id)/files/edit?path=plugins/config.yml&new=1")
            #expect(existing.text.contains("plugins/config.yml exists already; here it is.") && existing.text.contains("motd: hi\n</textarea>"))
            let editor = try await browser.get("/instances/\(id)/files/edit?path=plugins/config.yml")
            #expect(editor.status == 200 && editor.text.contains("motd: hi\n</textarea>"))
            let saved = try await browser.post("/instances/\(id)/files/save", ["path": "plugins/config.yml", "content": "motd: <b>bye</b>\n"])
            #expect(saved.location == "/instances/\(id)/files/edit?path=plugins/config.yml")
            let volume = panel.dataDirectory + "/node/volumes/" + id
            #expect(try String(contentsOfFile: volume + "/plugins/config.yml", encoding: .utf8) == "motd: <b>bye</b>\n")
            #expect(
                try await browser.get("/instances/\(id)/files/edit?path=plugins/config.yml").text.contains("motd: &lt;b&gt;bye&lt;/b&gt;"),
                "the text is escaped"
            )

            _ = try await browser.post("/instances/\(id)/files/copy", ["folder": "plugins", "name": "config.yml"])
            #expect(FileManager.default.fileExists(atPath: volume + "/plugins/config copy.yml"))
            _ = try await browser.post("/instances/\(id)/files/rename", ["folder": "plugins", "name": "config copy.yml", "to": "/backup.yml"])
            #expect(FileManager.default.fileExists(atPath: volume + "/backup.yml"))
            _ = try await browser.post("/instances/\(id)/files/mode", ["folder": "", "name": "backup.yml", "mode": "600"])
            #expect((try FileManager.default.attributesOfItem(atPath: volume + "/backup.yml")[.posixPermissions] as? Int) == 0o600)
            let refused = try await browser.post("/instances/\(id)/files/mode", ["folder": "", "name": "backup.yml", "mode": "4755"])
            #expect(refused.location == "/instances/\(id)/files?path=")
            #expect(try await browser.get(refused.location ?? "").text.contains("Backup.yml: set-uid and set-gid bits may not be set."))

            let download = try await browser.get("/instances/\(id)/files/download?path=backup.yml")
            #expect(download.status == 200 && download.text == "motd: <b>bye</b>\n")
            #expect(download.headers.first(name: "content-disposition")?.hasPrefix("attachment;") == true)

            let deleted = try await browser.post(
                "/instances/\(id)/files/delete",
                pairs: [("folder", ""), ("selected", "backup.yml"), ("selected", "plugins")]
            )
            #expect(deleted.location == "/instances/\(id)/files?path=")
            #expect(try FileManager.default.contentsOfDirectory(atPath: volume).sorted() == ["installed.txt"])

            let binary = try await browser.upload("/instances/\(id)/files/contents?path=world.dat", Data([0, 1, 2, 255]))
            #expect(binary.status == 201)
            let notText = try await browser.get("/instances/\(id)/files/edit?path=world.dat")
            #expect(notText.location == "/instances/\(id)/files?path=")
            #expect(try await browser.get("/instances/\(id)/files").text.contains("World.dat is not a text file; download it instead."))

            let actions = try await panel.panel.audit.search(AuditFilter(), skipping: 0, count: 100).map(\.action)
            for action in [
                "made folder plugins", "uploaded file plugins/config.yml", "saved file plugins/config.yml",
                "moved file plugins/config copy.yml to backup.yml",
                "set permissions of backup.yml to 600", "deleted files backup.yml, plugins",
            ] {
                #expect(actions.contains(action), "\(action) is audited: \(actions)")
            }
        }
    }

    @Test("the folder page archives a selection and extracts an archive, without scripts")
    func archives() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            let browser = panel.browser()
            #expect(try await browser.signIn("owner", WebSessionTests.password).status == 303)
            _ = try await browser.get("/instances/\(id)/files")
            #expect(try await browser.upload("/instances/\(id)/files/contents?path=plugins/a.jar", Data("jar".utf8)).status == 201)
            let archived = try await browser.post(
                "/instances/\(id)/files/compress",
                pairs: [("folder", ""), ("selected", "plugins"), ("selected", "installed.txt"), ("format", "zip")]
            )
            let page = try await browser.get(archived.location ?? "")
            let volume = panel.dataDirectory + "/node/volumes/" + id
            let archive = try #require(try FileManager.default.contentsOfDirectory(atPath: volume).first { $0.hasSuffix(".zip") })
            #expect(page.text.contains("\(archive) was made."))
            #expect(page.text.contains(#"id="extract-"#), "an archive's row offers extraction")
            _ = try await browser.post("/instances/\(id)/files/delete", pairs: [("folder", ""), ("selected", "plugins")])
            let extracted = try await browser.post("/instances/\(id)/files/extract", ["folder": "", "name": archive])
            #expect(try await browser.get(extracted.location ?? "").text.contains("\(archive) was extracted: 3 entries."))
            #expect(try String(contentsOfFile: volume + "/plugins/a.jar", encoding: .utf8) == "jar")
            let notArchive = try await browser.post("/instances/\(id)/files/extract", ["folder": "", "name": "installed.txt"])
            #expect(try await browser.get(notArchive.location ?? "").text.contains("is not an archive Berth unpacks"))
        }
    }

    @Test("a subuser without files.read gets no file manager; with files.read alone, no change controls and no changes")
    func subusers() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let helper = try await panel.createUser("helper")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            let subusers = "/api/v1/instances/\(id)/subusers"
            #expect(try await panel.request(.POST, subusers, json: #"{"user": "helper", "permissions": ["console.read"]}"#).status == 201)
            let browser = panel.browser()
            #expect(try await browser.signIn("helper", WebSessionTests.password).status == 303)
            #expect(!(try await browser.get("/instances/\(id)").text.contains("/files\"")))
            #expect(try await browser.get("/instances/\(id)/files").status == 403)
            #expect(try await panel.request(.PATCH, "\(subusers)/\(helper)", json: #"{"permissions": ["files.read"]}"#).status == 200)
            let readOnly = try await browser.get("/instances/\(id)/files")
            #expect(readOnly.status == 200 && readOnly.text.contains("installed.txt"))
            #expect(!readOnly.text.contains("upload-input") && !readOnly.text.contains("delete-selected"))
            let write = try await browser.upload("/instances/\(id)/files/contents?path=x.txt", Data("x".utf8))
            #expect(write.status == 403)
            #expect(!FileManager.default.fileExists(atPath: panel.dataDirectory + "/node/volumes/\(id)/x.txt"))
        }
    }
}
