import BerthProtocol
import BerthTestSupport
import Foundation
import NIOHTTP1
import Testing

@testable import BerthPanel

/// Backups on a real node: made while the instance runs, restored byte for byte (links as links), and
/// refused — with the files untouched — when damaged, foreign or missing; the limit, locks and permissions.
@Suite("Instance backups through /api/v1", .timeLimit(.minutes(4)))
struct BackupTests {
    static func backups(_ id: String, _ tail: String = "") -> String { "/api/v1/instances/\(id)/backups\(tail)" }

    @Test("a backup of a running instance restores byte for byte, links as links, and the instance runs again")
    func restoresByteForByte() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner, disk: "64M")
            try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }
            let key = try await panel.panel.createAPIKey(name: "owner's", scopes: "instances:write", owner: owner)
            let volume = panel.dataDirectory + "/node/volumes/" + id
            let world = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) })
            #expect(
                try await panel.request(.PUT, FileAPITests.files(id, "/contents", path: "world/region/r.0.0.mca"), bytes: world, apiKey: .some(key))
                    .status == 201
            )
            #expect(
                try await panel.request(
                    .PUT,
                    FileAPITests.files(id, "/contents", path: "server.properties"),
                    bytes: Data("motd=before\n".utf8),
                    apiKey: .some(key)
                ).status == 201
            )
            // Links a tenant made: one inside, one that leads out. Both are kept as links; neither is followed.
            try FileManager.default.createSymbolicLink(atPath: volume + "/latest", withDestinationPath: "world/region/r.0.0.mca")
            try FileManager.default.createSymbolicLink(atPath: volume + "/escape", withDestinationPath: "/etc/passwd")
            let passwd = try Data(contentsOf: URL(fileURLWithPath: "/etc/passwd"))
            let before = try VolumeSnapshot(volume)

            let made = try await Self.make(panel, id, json: #"{"name": "before the update"}"#, apiKey: .some(key))
            let backup = try #require(made["id"] as? String)
            #expect(made["state"] as? String == "ready" && made["name"] as? String == "before the update" && made["storage"] as? String == "local")
            let archive = panel.dataDirectory + "/node/backups/\(id)/\(backup).tar.zst"
            let checksum = try Self.sha256(of: archive)
            let size = try FileManager.default.attributesOfItem(atPath: archive)[.size] as? Int
            #expect(made["sha256"] as? String == checksum, "the recorded checksum is the archive's")
            #expect(made["size"] as? Int == size)
            #expect(try await panel.instance(id)["PowerState"] as? String == "running", "a backup does not stop the instance")
            let listed = try await panel.request(.GET, Self.backups(id), apiKey: .some(key))
            #expect(listed.array.map { $0["id"] as? String } == [backup])
            let download = try await panel.request(.GET, Self.backups(id, "/\(backup)/download"), apiKey: .some(key))
            let archiveBytes = try Data(contentsOf: URL(fileURLWithPath: archive))
            #expect(download.status == 200 && download.body == archiveBytes)

            // The tenant's files change every way they can: gone, rewritten, new, a file where a folder was.
            #expect(
                try await panel.request(.POST, FileAPITests.files(id, "/delete"), json: #"{"paths": ["world", "latest"]}"#, apiKey: .some(key)).status
                    == 204
            )
            #expect(
                try await panel.request(
                    .PUT,
                    FileAPITests.files(id, "/contents", path: "server.properties"),
                    bytes: Data("motd=after\n".utf8),
                    apiKey: .some(key)
                ).status == 201
            )
            #expect(
                try await panel.request(
                    .PUT,
                    FileAPITests.files(id, "/contents", path: "world"),
                    bytes: Data("not a folder".utf8),
                    apiKey: .some(key)
                ).status == 201
            )
            #expect(try VolumeSnapshot(volume) != before)

            let restored = try await panel.request(.POST, Self.backups(id, "/\(backup)/restore"), apiKey: .some(key))
            #expect(restored.status == 200, "\(restored.text)")
            #expect(try VolumeSnapshot(volume) == before, "the files are the backup's, byte for byte")
            #expect(try Data(contentsOf: URL(fileURLWithPath: "/etc/passwd")) == passwd, "nothing was written through the link")
            #expect(try FileManager.default.contentsOfDirectory(atPath: volume).filter { $0.hasPrefix(".berth-") }.isEmpty, "no staging left")
            try await panel.waitFor(id, "running again") { $0["PowerState"] as? String == "running" }

            // The instance's deletion takes its backups with it, on the node and in the panel.
            #expect(try await panel.request(.DELETE, "/api/instance/delete", ["id": id]).status == 201)
            #expect(!FileManager.default.fileExists(atPath: panel.dataDirectory + "/node/backups/\(id)"))
            #expect(try await Backup.query(on: panel.panel.database.db()).count() == 0)
        }
    }

    @Test("stopFirst stops a running instance for the backup and starts it again after; meanwhile the list says how far it has come")
    func stopFirst() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            let node = try #require(panel.node)
            let running = try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }
            let before = try await node.docker.inspectContainer(try #require(running["ContainerId"] as? String)).state

            let answer = try await panel.request(.POST, Self.backups(id), json: #"{"stopFirst": true}"#)
            #expect(answer.status == 202 && answer.object["state"] as? String == "creating", "\(answer.text)")
            let backup = try #require(answer.object["id"] as? String)
            let underWay = try await panel.request(.GET, Self.backups(id)).array.first
            if underWay?["state"] as? String == "creating" {
                #expect((underWay?["progress"] as? Int).map { (0...99).contains($0) } == true, "\(String(describing: underWay))")
            }
            let second = try await panel.request(.POST, Self.backups(id))
            if second.status == 409 {
                #expect(second.error == "a backup of the instance is being made; wait until it is ready")
            }
            #expect(try await Self.finished(panel, id, backup)["state"] as? String == "ready")

            let again = try await panel.waitFor(id, "running again") { $0["PowerState"] as? String == "running" }
            let after = try await node.docker.inspectContainer(try #require(again["ContainerId"] as? String)).state
            #expect(after.running && after.startedAt != before.startedAt, "it was started again: \(before.startedAt) → \(after.startedAt)")
            let unknown = try await panel.request(.POST, Self.backups(id), json: #"{"stopFirst": "yes"}"#)
            #expect(unknown.status == 400, "\(unknown.text)")
        }
    }

    @Test("a download link works without a key for 15 minutes, for that backup alone, and cannot be stretched or forged")
    func downloadLinks() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            let reader = try await panel.panel.createAPIKey(name: "owner's reader", scopes: "instances:read", owner: owner)
            let backup = try #require(try await Self.make(panel, id)["id"] as? String)
            let archive = try Data(contentsOf: URL(fileURLWithPath: panel.dataDirectory + "/node/backups/\(id)/\(backup).tar.zst"))

            let made = try await panel.request(.POST, Self.backups(id, "/\(backup)/link"), apiKey: .some(reader))
            #expect(made.status == 201, "\(made.text)")
            let url = try #require(made.object["url"] as? String)
            let expires = try #require((made.object["expiresAt"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
            #expect(abs(expires.timeIntervalSinceNow - 900) < 60, "good for 15 minutes")
            let path = try #require(URLComponents(string: url)?.path)
            #expect(url.hasPrefix("http://127.0.0.1:") && path.hasPrefix("/api/v1/backup-downloads/"))

            let fetched = try await panel.request(.GET, path, apiKey: .some(nil))
            #expect(fetched.status == 200 && fetched.body == archive, "no key needed")
            let range = try await panel.request(.GET, path, bytes: nil, headers: [("Range", "bytes=0-9")], apiKey: .some(nil))
            #expect(range.status == 206 && range.body == archive.prefix(10))

            // A token taken apart: another expiry, another backup, another signature; and one signed to have expired.
            let token = String(path.dropFirst("/api/v1/backup-downloads/".count))
            let parts = token.split(separator: ".").map(String.init)
            let stretched = "\(parts[0]).\(Int(parts[1])! + 86_400).\(parts[2])"
            let other = "\(UUID().uuidString.lowercased()).\(parts[1]).\(parts[2])"
            let forged = "\(parts[0]).\(parts[1]).\(String(repeating: "A", count: parts[2].count))"
            let expired = panel.panel.instances.backupLinks.token(for: backup, expiring: Date().addingTimeInterval(-1))
            for bad in [stretched, other, forged, expired, "nonsense", ""] {
                let refused = try await panel.request(.GET, "/api/v1/backup-downloads/" + bad, apiKey: .some(nil))
                #expect(refused.status == 404 && refused.body != archive, "\(bad): \(refused.status)")
            }
            let refused = try await panel.request(.GET, "/api/v1/backup-downloads/" + stretched, apiKey: .some(nil))
            #expect(refused.error == "this download link does not work: it expired, or its backup is gone")

            let stranger = try await panel.panel.createAPIKey(
                name: "stranger's",
                scopes: "instances:write",
                owner: try await panel.createUser("stranger")
            )
            #expect(try await panel.request(.POST, Self.backups(id, "/\(backup)/link"), apiKey: .some(stranger)).status == 404)
            #expect(try await panel.request(.DELETE, Self.backups(id, "/\(backup)")).status == 204)
            #expect(try await panel.request(.GET, path, apiKey: .some(nil)).status == 404, "the backup is gone, and so is its link")
        }
    }

    @Test("the backups' total size an operator sets: a backup past it is not kept, a scheduled one makes room; the node counts them")
    func totalSizeLimit() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            let key = try await panel.panel.createAPIKey(name: "owner's", scopes: "instances:write", owner: owner)
            let noise = Data((0..<(1536 << 10)).map { _ in UInt8.random(in: 0...255) })
            #expect(try await panel.request(.PUT, FileAPITests.files(id, "/contents", path: "world.bin"), bytes: noise).status == 201)
            let raise = try await panel.request(.PATCH, "/api/v1/instances/\(id)", json: #"{"backupSizeLimit": 2}"#, apiKey: .some(key))
            #expect(raise.status == 403, "an owner does not set their own: \(raise.text)")
            #expect(try await panel.request(.PATCH, "/api/v1/instances/\(id)", json: #"{"backupSizeLimit": -1}"#).status == 400)
            #expect(try await panel.request(.PATCH, "/api/v1/instances/\(id)", ["backupSizeLimit": 2]).status == 200)

            let first = try await Self.make(panel, id, json: #"{"name": "first"}"#)
            #expect(first["state"] as? String == "ready" && (first["size"] as? Int ?? 0) > 1_500_000, "\(first)")
            let second = try await Self.make(panel, id, json: #"{"name": "second"}"#)
            #expect(second["state"] as? String == "failed", "\(second)")
            #expect((second["failure"] as? String)?.contains("more than the 2 MiB they may take together") == true, "\(second)")
            let secondID = try #require(second["id"] as? String)
            #expect(!FileManager.default.fileExists(atPath: panel.dataDirectory + "/node/backups/\(id)/\(secondID).tar.zst"), "not kept on the node")

            // A schedule's backup deletes the oldest unlocked one to fit.
            let scheduled = try await panel.panel.instances.backups.create(id, name: "scheduled", as: .administrator, rotating: true)
            #expect(scheduled.state == .ready)
            let kept = try await panel.request(.GET, Self.backups(id)).array.filter { $0["state"] as? String == "ready" }
            #expect(kept.map { $0["name"] as? String } == ["scheduled"])

            // What the node's disk keeps for backups counts against it, and shows.
            let node = try #require(panel.node)
            let nodeID = try #require(UUID(uuidString: node.id))
            let usage = try #require(try await panel.panel.nodes.usage()[nodeID])
            #expect(usage.backups == Int64(scheduled.size ?? 0) && usage.claimedDisk == usage.disk + 2)
        }
    }

    @Test("what .berthignore leaves out is not in the backup, and a restore leaves the files as the backup has them")
    func ignoredFiles() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            let volume = panel.dataDirectory + "/node/volumes/" + id
            for (path, text) in [
                (".berthignore", "# big and rebuilt\nlogs/\n*.tmp\n!keep.tmp\n"), ("logs/latest.log", "log"), ("a.tmp", "a"),
                ("keep.tmp", "keep"), ("world/level.dat", "level"), ("world/logs/old.log", "old"),
            ] {
                #expect(try await panel.request(.PUT, FileAPITests.files(id, "/contents", path: path), bytes: Data(text.utf8)).status == 201)
            }
            let made = try await Self.make(panel, id)
            let backup = try #require(made["id"] as? String)
            let archive = panel.dataDirectory + "/node/backups/\(id)/\(backup).tar.zst"
            let entries = Set(try HostShell.run("tar -I zstd -tf '\(archive)'").split(separator: "\n").map(String.init))
            #expect(entries == [".berthignore", "installed.txt", "keep.tmp", "world/", "world/level.dat"], "\(entries.sorted())")
            #expect(made["size"] as? Int == (try FileManager.default.attributesOfItem(atPath: archive)[.size] as? Int))
        }
    }

    @Test("a damaged, foreign or missing backup is refused and the files and the running instance stay as they are")
    func refusals() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            let other = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }
            let key = try await panel.panel.createAPIKey(name: "owner's", scopes: "instances:write", owner: owner)
            let volume = panel.dataDirectory + "/node/volumes/" + id
            let backup = try #require(try await Self.make(panel, id, apiKey: .some(key))["id"] as? String)
            #expect(
                try await panel.request(.PUT, FileAPITests.files(id, "/contents", path: "new.txt"), bytes: Data("kept".utf8), apiKey: .some(key))
                    .status == 201
            )
            let files = try VolumeSnapshot(volume)

            // One file back, the rest as it is now, and the instance runs on.
            let installed = try String(contentsOfFile: volume + "/installed.txt", encoding: .utf8)
            try Data("changed".utf8).write(to: URL(fileURLWithPath: volume + "/installed.txt"))
            let one = try await panel.request(.POST, Self.backups(id, "/\(backup)/restore"), json: #"{"path": "installed.txt"}"#, apiKey: .some(key))
            #expect(one.status == 200 && one.object["entries"] as? Int == 1, "\(one.text)")
            #expect(try VolumeSnapshot(volume) == files, "installed.txt is the backup's again, new.txt stays")
            #expect(try String(contentsOfFile: volume + "/installed.txt", encoding: .utf8) == installed)
            #expect(try await panel.instance(id)["PowerState"] as? String == "running", "a single file does not stop the instance")
            let absent = try await panel.request(.POST, Self.backups(id, "/\(backup)/restore"), json: #"{"path": "new.txt"}"#, apiKey: .some(key))
            #expect(absent.status == 404 && absent.error == "new.txt in backup \(backup) does not exist", "\(absent.text)")
            let climbing = try await panel.request(.POST, Self.backups(id, "/\(backup)/restore"), json: #"{"path": "../../etc"}"#, apiKey: .some(key))
            #expect(climbing.status == 400, "\(climbing.text)")

            let foreign = try await panel.request(.POST, Self.backups(other, "/\(backup)/restore"), apiKey: .some(key))
            #expect(foreign.status == 404 && foreign.error == "the instance has no backup with that id", "\(foreign.text)")
            for unknown in [UUID().uuidString, "not-a-backup"] {
                #expect(try await panel.request(.POST, Self.backups(id, "/\(unknown)/restore"), apiKey: .some(key)).status == 404)
            }

            // One byte of the archive on the node's disk changes.
            let archive = panel.dataDirectory + "/node/backups/\(id)/\(backup).tar.zst"
            var bytes = try Data(contentsOf: URL(fileURLWithPath: archive))
            bytes[bytes.count / 2] ^= 0xFF
            try bytes.write(to: URL(fileURLWithPath: archive))
            let damaged = try await panel.request(.POST, Self.backups(id, "/\(backup)/restore"), apiKey: .some(key))
            #expect(damaged.status == 409 && damaged.error?.contains("is damaged") == true, "\(damaged.text)")
            #expect(try VolumeSnapshot(volume) == files)
            #expect(try await panel.instance(id)["PowerState"] as? String == "running", "a refused restore does not stop the instance")

            try FileManager.default.removeItem(atPath: archive)
            let missing = try await panel.request(.POST, Self.backups(id, "/\(backup)/restore"), apiKey: .some(key))
            #expect(missing.status == 404 && missing.error == "there is no backup \(backup) of this instance on this node", "\(missing.text)")
            #expect(try VolumeSnapshot(volume) == files)
            // Its record goes too, though the node no longer has the archive.
            #expect(try await panel.request(.DELETE, Self.backups(id, "/\(backup)"), apiKey: .some(key)).status == 204)
            #expect(try await panel.request(.GET, Self.backups(id), apiKey: .some(key)).array.isEmpty)
        }
    }

    @Test("at most the instance's limit, locked ones kept, only with the backups permission, the limit an operator's to set")
    func limitsLocksAndPermissions() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let helper = try await panel.createUser("helper")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            let key = try await panel.panel.createAPIKey(name: "owner's", scopes: "instances:write", owner: owner)
            let readOnly = try await panel.panel.createAPIKey(name: "owner's reader", scopes: "instances:read", owner: owner)
            let helpersKey = try await panel.panel.createAPIKey(name: "helper's", scopes: "instances:write", owner: helper)

            var made: [String] = []
            for _ in 0..<InstanceBackups.defaultLimit {
                let backup = try await Self.make(panel, id, apiKey: .some(key))
                #expect(backup["state"] as? String == "ready", "\(backup)")
                made += [backup["id"] as? String ?? ""]
            }
            let over = try await panel.request(.POST, Self.backups(id), apiKey: .some(key))
            #expect(over.status == 409 && over.error == "the instance keeps 3 backup(s) and may keep 3; delete one first", "\(over.text)")
            let raise = try await panel.request(.PATCH, "/api/v1/instances/\(id)", json: #"{"backupLimit": 10}"#, apiKey: .some(key))
            #expect(raise.status == 403, "an owner does not raise their own limit: \(raise.text)")
            #expect(try await panel.request(.PATCH, "/api/v1/instances/\(id)", ["backupLimit": 4]).status == 200)
            #expect(try await Self.make(panel, id, apiKey: .some(key))["state"] as? String == "ready")

            let lock = try await panel.request(.PATCH, Self.backups(id, "/\(made[0])"), json: #"{"locked": true}"#, apiKey: .some(key))
            #expect(lock.status == 200 && lock.object["locked"] as? Bool == true)
            let locked = try await panel.request(.DELETE, Self.backups(id, "/\(made[0])"), apiKey: .some(key))
            #expect(locked.status == 409 && locked.error == "the backup is locked; unlock it before deleting it")
            #expect(FileManager.default.fileExists(atPath: panel.dataDirectory + "/node/backups/\(id)/\(made[0]).tar.zst"))
            #expect(try await panel.request(.PATCH, Self.backups(id, "/\(made[0])"), json: #"{"locked": "yes"}"#, apiKey: .some(key)).status == 400)
            #expect(try await panel.request(.PATCH, Self.backups(id, "/\(made[0])"), json: #"{"locked": false}"#, apiKey: .some(key)).status == 200)
            #expect(try await panel.request(.DELETE, Self.backups(id, "/\(made[0])"), apiKey: .some(key)).status == 204)
            #expect(!FileManager.default.fileExists(atPath: panel.dataDirectory + "/node/backups/\(id)/\(made[0]).tar.zst"))
            // One place left, three asking for it at once: one gets it.
            let racing = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 { group.addTask { try await panel.request(.POST, Self.backups(id), apiKey: .some(key)).status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }.sorted()
            }
            #expect(racing == [202, 409, 409])

            #expect(try await panel.request(.POST, Self.backups(id), apiKey: .some(readOnly)).status == 403)
            #expect(try await panel.request(.GET, Self.backups(id), apiKey: .some(helpersKey)).status == 404, "a stranger learns nothing")
            let grant = try await panel.request(
                .POST,
                "/api/v1/instances/\(id)/subusers",
                json: #"{"user": "helper", "permissions": ["console.read"]}"#,
                apiKey: .some(key)
            )
            #expect(grant.status == 201)
            let refused = try await panel.request(.GET, Self.backups(id), apiKey: .some(helpersKey))
            #expect(refused.status == 403 && refused.error == "you may not manage backups here; that takes the backups permission", "\(refused.text)")
            _ = try await panel.request(
                .PATCH,
                "/api/v1/instances/\(id)/subusers/\(helper)",
                json: #"{"permissions": ["backups"]}"#,
                apiKey: .some(key)
            )
            #expect(try await panel.request(.GET, Self.backups(id), apiKey: .some(helpersKey)).array.count == 4)
            let unknownField = try await panel.request(.POST, Self.backups(id), json: #"{"name": "x", "stop": true}"#, apiKey: .some(key))
            #expect(unknownField.status == 400 && unknownField.error?.hasPrefix("stop is not a field of this request") == true)
        }
    }

    /// Asks for a backup (202, `creating`) and waits until the node has made it: the backup as listed then.
    static func make(_ panel: TestPanel, _ id: String, json: String? = nil, apiKey: String?? = .none) async throws -> [String: Any] {
        let answer = try await panel.request(.POST, backups(id), json: json, apiKey: apiKey)
        guard answer.status == 202, answer.object["state"] as? String == "creating", let backup = answer.object["id"] as? String else {
            throw TestFailure("the backup was not begun: \(answer.status) \(answer.text)")
        }
        return try await finished(panel, id, backup, apiKey: apiKey)
    }

    /// The backup as listed once it is no longer being made.
    static func finished(_ panel: TestPanel, _ id: String, _ backup: String, apiKey: String?? = .none) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(120)
        while true {
            let listed = try await panel.request(.GET, backups(id), apiKey: apiKey).array.first { $0["id"] as? String == backup }
            guard let listed else { throw TestFailure("backup \(backup) is not listed") }
            if listed["state"] as? String != "creating" { return listed }
            guard ContinuousClock.now < deadline else { throw TestFailure("backup \(backup) is still being made: \(listed)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    static func sha256(of path: String) throws -> String {
        String(try HostShell.run("sha256sum '\(path)'").prefix(64))
    }
}

/// Every entry of a folder, links not followed: kind, permission bits and bytes or link target, by path.
struct VolumeSnapshot: Equatable {
    enum Entry: Equatable {
        case file(mode: String, bytes: Data)
        case folder(mode: String)
        case link(to: String)
    }

    let entries: [String: Entry]

    init(_ root: String) throws {
        var entries: [String: Entry] = [:]
        let walker = FileManager.default.enumerator(atPath: root)
        while let path = walker?.nextObject() as? String {
            let full = root + "/" + path
            var status = stat()
            guard lstat(full, &status) == 0 else { throw TestFailure("lstat \(full)") }
            let mode = String(status.st_mode & 0o777, radix: 8)
            switch status.st_mode & S_IFMT {
            case S_IFLNK: entries[path] = .link(to: try FileManager.default.destinationOfSymbolicLink(atPath: full))
            case S_IFDIR: entries[path] = .folder(mode: mode)
            default: entries[path] = .file(mode: mode, bytes: try Data(contentsOf: URL(fileURLWithPath: full)))
            }
        }
        self.entries = entries
    }
}
