import BerthProtocol
import BerthTestSupport
import Foundation
import NIOHTTP1
import Testing

@testable import BerthPanel

/// The file manager's API on a real node: uploads and downloads streamed through the panel, every
/// operation, who may do what, the image's denylist, and links a tenant planted.
@Suite("Instance files through /api/v1", .timeLimit(.minutes(4)))
struct FileAPITests {
    static func files(_ id: String, _ tail: String = "", path: String? = nil) -> String {
        let query = path.map { "?path=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? ""
        return "/api/v1/instances/\(id)/files\(tail)\(query)"
    }

    static func json(_ fields: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self)
    }

    @Test("an owner's key uploads, lists, downloads whole and in ranges, makes folders, moves, copies, chmods and deletes")
    func ownersRoundTrip() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            let key = try await panel.panel.createAPIKey(name: "owner's", scopes: "instances:write", owner: owner)
            let payload = Data((0..<(2 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            let upload = try await panel.request(.PUT, Self.files(id, "/contents", path: "world/level.dat"), bytes: payload, apiKey: .some(key))
            #expect(upload.status == 201, "\(upload.text)")
            #expect(upload.object["kind"] as? String == "file" && upload.object["size"] as? Int == payload.count)
            let volume = panel.dataDirectory + "/node/volumes/" + id
            #expect(try Data(contentsOf: URL(fileURLWithPath: volume + "/world/level.dat")) == payload)

            let root = try await panel.request(.GET, Self.files(id), apiKey: .some(key))
            let names = (root.object["entries"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(root.status == 200 && names == ["world", "installed.txt"], "folders first: \(root.text)")
            let download = try await panel.request(.GET, Self.files(id, "/contents", path: "world/level.dat"), apiKey: .some(key))
            #expect(download.status == 200 && download.body == payload)
            #expect(download.headers["content-disposition"] == "attachment; filename=\"level.dat\"; filename*=UTF-8''level%2Edat")
            let range = try await panel.request(
                .GET,
                Self.files(id, "/contents", path: "world/level.dat"),
                bytes: nil,
                headers: [("Range", "bytes=100-199")],
                apiKey: .some(key)
            )
            #expect(range.status == 206 && range.body == payload[100..<200] && range.headers["content-range"] == "bytes 100-199/\(payload.count)")

            let folder = try await panel.request(.POST, Self.files(id, "/folders"), json: try Self.json(["path": "plugins"]), apiKey: .some(key))
            #expect(folder.status == 201 && folder.object["kind"] as? String == "folder")
            let copy = try await panel.request(
                .POST,
                Self.files(id, "/copy"),
                json: try Self.json(["from": "world", "to": "world-2"]),
                apiKey: .some(key)
            )
            #expect(copy.status == 201)
            let move = try await panel.request(
                .POST,
                Self.files(id, "/move"),
                json: try Self.json(["from": "world-2", "to": "plugins/w"]),
                apiKey: .some(key)
            )
            #expect(move.status == 200 && move.object["name"] as? String == "w")
            let clash = try await panel.request(
                .POST,
                Self.files(id, "/move"),
                json: try Self.json(["from": "world", "to": "plugins"]),
                apiKey: .some(key)
            )
            #expect(clash.status == 409 && clash.error == "plugins already exists")
            let mode = try await panel.request(
                .POST,
                Self.files(id, "/mode"),
                json: try Self.json(["path": "installed.txt", "mode": "600"]),
                apiKey: .some(key)
            )
            #expect(mode.status == 200 && mode.object["mode"] as? String == "600")
            let badMode = try await panel.request(
                .POST,
                Self.files(id, "/mode"),
                json: try Self.json(["path": "installed.txt", "mode": "u+x"]),
                apiKey: .some(key)
            )
            #expect(badMode.status == 400 && badMode.error == "mode must be octal permission bits, such as 644 or 755")
            // A field the route does not take is named in the 400, and nothing is made (the fuzzer's case).
            let stray = try await panel.request(
                .POST,
                Self.files(id, "/folders"),
                json: try Self.json(["path": "stray", "mode": "777"]),
                apiKey: .some(key)
            )
            #expect(stray.status == 400 && stray.error == "mode is not a field of this request; it takes path", "\(stray.text)")
            #expect(!FileManager.default.fileExists(atPath: volume + "/stray"))
            let deleted = try await panel.request(
                .POST,
                Self.files(id, "/delete"),
                json: try Self.json(["paths": ["plugins", "world"]]),
                apiKey: .some(key)
            )
            #expect(deleted.status == 204)
            #expect(try FileManager.default.contentsOfDirectory(atPath: volume).sorted() == ["installed.txt"])
            let climb = try await panel.request(.GET, Self.files(id, "/contents", path: "../../../etc/passwd"), apiKey: .some(key))
            #expect(climb.status == 400 && climb.error == "../../../etc/passwd does not name a file inside the folder")
            let missing = try await panel.request(.GET, Self.files(id, "/contents"), apiKey: .some(key))
            #expect(missing.status == 400 && missing.error == "the path query item is missing; name a file, such as ?path=server.properties")
            #expect(try await panel.request(.GET, Self.files(id, "/contents", path: "nope.txt"), apiKey: .some(key)).status == 404)
            // An upload the node refuses before reading its body (the root is no file): a 400, and the panel goes on.
            for _ in 0..<3 {
                let refusedUpload = try await panel.request(
                    .PUT,
                    Self.files(id, "/contents", path: "/"),
                    bytes: Data(repeating: 1, count: 300_000),
                    apiKey: .some(key)
                )
                #expect(refusedUpload.status == 400 && refusedUpload.error == "/ is not a regular file", "\(refusedUpload.text)")
                let noPath = try await panel.request(.PUT, Self.files(id, "/contents"), bytes: Data(repeating: 1, count: 1000), apiKey: .some(key))
                #expect(noPath.status == 400)
            }
            let oddQuery =
                "?%C2%81=%10&%C2%81=&%C2%81=%F3%B9%8F%A0%F1%A1%A3%94%F3%AA%BA%80%3FSd%C3%97%C2%A8%C2%8D%F0%BC%9A%B6-%F3%B3%86%A0&%27%C2%86%C2%86=null&%2F0=&%C2%96a%C3%83g=false"
            let odd = try await panel.request(.PUT, "/api/v1/instances/\(id)/files/contents" + oddQuery, bytes: Data(), apiKey: .some(key))
            #expect(odd.status == 400, "\(odd.text)")
            #expect(try await panel.request(.GET, Self.files(id), apiKey: .some(key)).status == 200)

            // Every change is in the audit log, under the key.
            let actions = try await panel.panel.audit.search(AuditFilter(), skipping: 0, count: 100).map(\.action)
            #expect(actions.contains("api PUT /api/v1/instances/\(id)/files/contents"))
            #expect(actions.contains("api POST /api/v1/instances/\(id)/files/delete"))
        }
    }

    /// Imports "Guarded", an image whose denylist holds `*.jar` and `secrets/`.
    static func importGuardedImage(_ panel: TestPanel) async throws {
        let imageFile = NSTemporaryDirectory() + "berth-guarded-\(UUID().uuidString).json"
        try Data(
            #"{"Name": "Guarded", "Image": "berth-test/busybox:latest", "Startup": "echo ready; while read line; do :; done", "Ready": "ready", "StopCommand": "stop", "FileDenylist": ["*.jar", "secrets/"]}"#
                .utf8
        ).write(to: URL(fileURLWithPath: imageFile))
        _ = try await panel.panel.importImage(at: imageFile)
    }

    /// Deploys "Guarded" for `owner` and waits until it is READY; its id.
    static func deployReadyGuarded(_ panel: TestPanel, owner: String) async throws -> String {
        let node = try #require(panel.node)
        try await importGuardedImage(panel)
        var fields = InstanceTests.deployFields(node: node.id, user: owner, port: TestPorts.next())
        fields["imagename"] = "Guarded"
        let id = try #require(try await panel.request(.POST, "/api/instances/deploy", fields).object["Id"] as? String)
        try await panel.waitFor(id, "READY") { $0["InternalState"] as? String == "READY" }
        return id
    }

    @Test("subusers need files.read to read and files.write to change; strangers learn nothing; the image's denylist binds all but admins")
    func permissionsAndDenylist() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let reader = try await panel.createUser("reader")
            let stranger = try await panel.createUser("stranger")
            let id = try await Self.deployReadyGuarded(panel, owner: owner)
            let ownersKey = try await panel.panel.createAPIKey(name: "owner's", scopes: "instances:write", owner: owner)
            let readersKey = try await panel.panel.createAPIKey(name: "reader's", scopes: "instances:write", owner: reader)
            let strangersKey = try await panel.panel.createAPIKey(name: "stranger's", scopes: "instances:write", owner: stranger)
            let readOnlyKey = try await panel.panel.createAPIKey(name: "owner's reader", scopes: "instances:read", owner: owner)
            let grant = try await panel.request(
                .POST,
                "/api/v1/instances/\(id)/subusers",
                json: try Self.json(["user": "reader", "permissions": ["console.read"]]),
                apiKey: .some(ownersKey)
            )
            #expect(grant.status == 201)

            let noFiles = try await panel.request(.GET, Self.files(id), apiKey: .some(readersKey))
            #expect(noFiles.status == 403 && noFiles.error == "you may not read files here; that takes the files.read permission")
            _ = try await panel.request(
                .PATCH,
                "/api/v1/instances/\(id)/subusers/\(reader)",
                json: try Self.json(["permissions": ["files.read"]]),
                apiKey: .some(ownersKey)
            )
            #expect(try await panel.request(.GET, Self.files(id), apiKey: .some(readersKey)).status == 200)
            let write = try await panel.request(.PUT, Self.files(id, "/contents", path: "a.txt"), bytes: Data("a".utf8), apiKey: .some(readersKey))
            #expect(write.status == 403 && write.error == "you may not change files here; that takes the files.write permission")
            #expect(try await panel.request(.GET, Self.files(id), apiKey: .some(strangersKey)).status == 404)
            let scope = try await panel.request(.PUT, Self.files(id, "/contents", path: "a.txt"), bytes: Data("a".utf8), apiKey: .some(readOnlyKey))
            #expect(scope.status == 403)
            #expect(!FileManager.default.fileExists(atPath: panel.dataDirectory + "/node/volumes/\(id)/a.txt"), "no refused write landed")

            for path in ["server.jar", "plugins/Essentials.jar", "secrets/token.txt"] {
                let denied = try await panel.request(.PUT, Self.files(id, "/contents", path: path), bytes: Data("x".utf8), apiKey: .some(ownersKey))
                #expect(
                    denied.status == 403 && denied.error == "\(path) is on the image's list of files that may not be changed or read here",
                    "\(path)"
                )
            }
            let renameInto = try await panel.request(
                .POST,
                Self.files(id, "/folders"),
                json: try Self.json(["path": "secrets"]),
                apiKey: .some(ownersKey)
            )
            #expect(renameInto.status == 403)
            #expect(
                try await panel.request(.PUT, Self.files(id, "/contents", path: "server.jar"), bytes: Data("x".utf8)).status == 201,
                "an admin is not bound by it"
            )
        }
    }

    @Test("links a tenant planted are listed as leading out and refused through the panel; the host's file is untouched")
    func plantedLinks() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            let decoy = NSTemporaryDirectory() + "berth-decoy-\(UUID().uuidString)"
            try Data("host secret\n".utf8).write(to: URL(fileURLWithPath: decoy))
            defer { try? FileManager.default.removeItem(atPath: decoy) }
            // What the tenant's server does in its volume, done from the host side for the test.
            try FileManager.default.createSymbolicLink(atPath: panel.dataDirectory + "/node/volumes/\(id)/x", withDestinationPath: decoy)
            let listing = try await panel.request(.GET, Self.files(id))
            let x = (listing.object["entries"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "x" }
            #expect(x?["kind"] as? String == "link" && x?["linkState"] as? String == "outside" && x?["linkTarget"] as? String == decoy)
            let read = try await panel.request(.GET, Self.files(id, "/contents", path: "x"))
            #expect(read.status == 400 && read.error == "x does not name a file inside the folder")
            let chmod = try await panel.request(.POST, Self.files(id, "/mode"), json: try Self.json(["path": "x", "mode": "777"]))
            #expect(chmod.status == 400)
            #expect(try await panel.request(.POST, Self.files(id, "/delete"), json: try Self.json(["paths": ["x"]])).status == 204)
            #expect(try String(contentsOfFile: decoy, encoding: .utf8) == "host secret\n")
        }
    }
}

/// Archives through the panel: packed and unpacked on the node, and hostile ones refused whole.
@Suite("Instance archives through /api/v1", .timeLimit(.minutes(4)))
struct ArchiveAPITests {
    @Test("files packed to tar.gz, tar.zst and zip unpack again; a climbing, linking or bomb archive is refused and changes nothing")
    func archives() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            let volume = panel.dataDirectory + "/node/volumes/" + id
            func post(_ tail: String, _ fields: [String: Any]) async throws -> HTTPAnswer {
                try await panel.request(.POST, FileAPITests.files(id, tail), json: try FileAPITests.json(fields))
            }
            #expect(
                try await panel.request(.PUT, FileAPITests.files(id, "/contents", path: "world/level.dat"), bytes: Data(repeating: 7, count: 300_000))
                    .status == 201
            )
            for format in ["tar.gz", "tar.zst", "zip"] {
                let packed = try await post("/compress", ["names": ["world", "installed.txt"], "format": format, "name": "backup.\(format)"])
                #expect(packed.status == 201 && packed.object["name"] as? String == "backup.\(format)", "\(packed.text)")
                let unpacked = try await post("/decompress", ["path": "backup.\(format)", "into": "restored-\(format)"])
                #expect(unpacked.status == 200 && unpacked.object["entries"] as? Int == 3, "\(unpacked.text)")
                #expect(
                    try Data(contentsOf: URL(fileURLWithPath: volume + "/restored-\(format)/world/level.dat")) == Data(repeating: 7, count: 300_000)
                )
            }
            let named = try await post("/compress", ["names": ["installed.txt"], "format": "tar.gz"])
            #expect((named.object["name"] as? String)?.hasPrefix("archive-") == true)
            #expect(try await post("/compress", ["names": ["installed.txt"], "format": "rar"]).error == "format must be one of tar.gz, tar.zst, zip")
            #expect(try await post("/compress", ["names": ["installed.txt"], "format": "zip", "name": "backup.zip"]).status == 409)
            #expect(try await post("/decompress", ["path": "installed.txt"]).status == 400)

            let hostile: [(String, [TestArchive.Entry], Bool, String)] = [
                (
                    "climb.zip", [.file("../../../../etc/cron.d/evil", Data("* * * * * root sh".utf8))], true,
                    "its entry ../../../../etc/cron.d/evil climbs out with .."
                ),
                ("absolute.tar.gz", [.file("/etc/berth-evil", Data("x".utf8))], false, "its entry /etc/berth-evil has an absolute path"),
                ("link.tar.gz", [.link("l", to: "/etc"), .file("l/passwd", Data("x".utf8))], false, "its link l -> /etc leads out of the folder"),
            ]
            for (name, entries, zip, reason) in hostile {
                let file = NSTemporaryDirectory() + "berth-" + name
                try TestArchive.write(entries, to: file, zip: zip)
                defer { try? FileManager.default.removeItem(atPath: file) }
                let upload = try await panel.request(
                    .PUT,
                    FileAPITests.files(id, "/contents", path: name),
                    bytes: try Data(contentsOf: URL(fileURLWithPath: file))
                )
                #expect(upload.status == 201)
                let before = try FileManager.default.subpathsOfDirectory(atPath: volume).sorted()
                let refused = try await post("/decompress", ["path": name])
                #expect(refused.status == 400 && refused.error == "\(name): \(reason)", "\(refused.text)")
                #expect(try FileManager.default.subpathsOfDirectory(atPath: volume).sorted() == before, "\(name) changed nothing")
            }
            #expect(!FileManager.default.fileExists(atPath: "/etc/berth-evil") && !FileManager.default.fileExists(atPath: "/etc/cron.d/evil"))
        }
    }
}
