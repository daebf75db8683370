import BerthProtocol
import BerthTestSupport
import Foundation
import Testing

@testable import BerthDaemon

/// The daemon's file routes against real containers whose servers plant what they like in their own
/// volumes. Whatever a link says, the host's files (a decoy folder the test makes, and `/etc/shadow`)
/// stay exactly as they were.
@Suite("Instance files through the daemon, against hostile containers", .timeLimit(.minutes(4)))
struct FileRouteTests {
    /// The host's files a tenant aims at: a decoy secret and folder the test made, and `/etc/shadow`.
    struct HostDecoy {
        let folder = "/tmp/berth-decoy-\(UUID().uuidString.prefix(8))"
        var secret: String { folder + "/secret" }

        func make() throws {
            try FileManager.default.createDirectory(atPath: folder + "/.ssh", withIntermediateDirectories: true)
            try Data("host secret\n".utf8).write(to: URL(fileURLWithPath: secret))
            chmod(secret, 0o600)
        }

        func snapshot() throws -> [String] {
            var lines: [String] = []
            for path in [secret, "/etc/shadow"] {
                var status = stat()
                lstat(path, &status)
                let contents = try Data(contentsOf: URL(fileURLWithPath: path))
                lines.append("\(path) \(status.st_mode) \(status.st_uid) \(contents.hashValue)")
            }
            lines.append(contentsOf: try FileManager.default.subpathsOfDirectory(atPath: folder).sorted())
            return lines
        }

        func remove() { try? FileManager.default.removeItem(atPath: folder) }
    }

    static func files(_ id: String, _ route: RoutePath, path: String? = nil) -> String {
        let query = path.map { "?path=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? ""
        return route.path(id: id) + query
    }

    @Test("links a container plants to the host's files are listed as leading out and refused by every route; deleting one leaves its target")
    func plantedLinks() async throws {
        let decoy = HostDecoy()
        try decoy.make()
        defer { decoy.remove() }
        let before = try decoy.snapshot()
        try await TestDaemon.with { daemon in
            let plant = [
                "ln -s \(decoy.secret) x", "ln -s /etc/shadow shadow", "ln -s \(decoy.folder) ext", "ln -s ../../../../../../\(decoy.folder) up",
                "ln -s missing dangling", "mkdir -p world && echo level > world/level.dat", "ln -s world/level.dat level",
                "echo ready", "while read line; do echo \"echo:$line\"; done",
            ].joined(separator: "; ")
            let specification = TestDaemon.echoSpecification(startup: "cd /home/container; " + plant)
            try await daemon.deployRunning(specification)
            let id = specification.id

            let listing = try await daemon.request(.GET, Self.files(id, DaemonRoutes.files, path: "/")).decode(FolderListing.self)
            let entries = Dictionary(uniqueKeysWithValues: listing.entries.map { ($0.name, $0) })
            #expect(listing.entries.first?.name == "world", "folders come first")
            for name in ["x", "shadow", "ext", "up"] {
                #expect(entries[name]?.kind == .link && entries[name]?.linkState == .outside, "\(name) is shown leading out")
            }
            #expect(entries["x"]?.linkTarget == decoy.secret)
            #expect(entries["dangling"]?.linkState == .dangling)
            #expect(entries["level"]?.linkState == .inside)

            for name in ["x", "shadow", "up/secret", "ext/secret"] {
                let read = try await daemon.request(.GET, Self.files(id, DaemonRoutes.fileContents, path: name))
                #expect(read.status == 400 && read.error == "\(name) does not name a file inside the folder", "\(name): \(read.status) \(read.text)")
            }
            #expect(try await daemon.request(.GET, Self.files(id, DaemonRoutes.fileContents, path: "level")).text == "level\n")
            let authorizedKeys = try await daemon.request(
                .PUT,
                Self.files(id, DaemonRoutes.fileContents, path: "ext/.ssh/authorized_keys"),
                bytes: Data("ssh-ed25519 AAAA attacker".utf8)
            )
            #expect(authorizedKeys.status == 400)
            for name in ["x", "shadow"] {
                let chmod = try await daemon.request(.POST, DaemonRoutes.fileMode.path(id: id), body: FileModeRequest(path: name, mode: "666"))
                #expect(chmod.status == 400 && chmod.error == "\(name): a link has no permissions of its own; change its target instead")
            }
            let stat = try await daemon.request(.GET, Self.files(id, DaemonRoutes.fileEntry, path: "shadow")).decode(VolumeEntry.self)
            #expect(stat.kind == .link && stat.linkTarget == "/etc/shadow")
            let moveOut = try await daemon.request(
                .POST,
                DaemonRoutes.fileMove.path(id: id),
                body: FileTransferRequest(from: "world", to: "ext/world")
            )
            #expect(moveOut.status == 400)
            let copyIn = try await daemon.request(
                .POST,
                DaemonRoutes.fileCopy.path(id: id),
                body: FileTransferRequest(from: "ext/secret", to: "stolen")
            )
            #expect(copyIn.status == 400)
            #expect(try await daemon.request(.GET, Self.files(id, DaemonRoutes.files, path: "ext")).status == 400)
            // Deleting the links deletes the links.
            let deletion = try await daemon.request(
                .POST,
                DaemonRoutes.fileDeletion.path(id: id),
                body: FileDeletionRequest(paths: ["x", "shadow", "ext"])
            )
            #expect(deletion.status == 204)
            let after = try await daemon.request(.GET, Self.files(id, DaemonRoutes.files)).decode(FolderListing.self)
            #expect(Set(after.entries.map(\.name)) == ["world", "up", "dangling", "level"])
            // Writing over a link replaces the link with a file, in the volume.
            let replaced = try await daemon.request(.PUT, Self.files(id, DaemonRoutes.fileContents, path: "up"), bytes: Data("mine".utf8))
            #expect(replaced.status == 201)
            #expect(try replaced.decode(VolumeEntry.self).kind == .file)
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
        #expect(try decoy.snapshot() == before, "the host's files are exactly as they were")
    }

    @Test("a folder the container swaps for a link to the host in a tight loop never lets an upload, folder or delete through")
    func swapRace() async throws {
        let decoy = HostDecoy()
        try decoy.make()
        defer { decoy.remove() }
        let before = try decoy.snapshot()
        try await TestDaemon.with { daemon in
            let swap = "mkdir -p plugins; (while true; do mv plugins p2; ln -s \(decoy.folder) plugins; rm plugins; mv p2 plugins; done) &"
            let specification = TestDaemon.echoSpecification(startup: "cd /home/container; \(swap) echo ready; while read line; do :; done")
            try await daemon.deployRunning(specification)
            let id = specification.id
            var written = 0
            for round in 0..<150 {
                let upload = try await daemon.request(
                    .PUT,
                    Self.files(id, DaemonRoutes.fileContents, path: "plugins/evil-\(round).jar"),
                    bytes: Data("payload".utf8)
                )
                if upload.status == 201 { written += 1 }
                _ = try await daemon.request(.POST, DaemonRoutes.folders.path(id: id), body: FolderRequest(path: "plugins/.ssh-\(round)"))
                _ = try await daemon.request(.POST, DaemonRoutes.fileDeletion.path(id: id), body: FileDeletionRequest(paths: ["plugins/secret"]))
            }
            #expect(written > 0, "some uploads landed while the folder was a folder")
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
        #expect(try decoy.snapshot() == before, "nothing reached the host's folder")
    }

    @Test("uploads stream in whole, downloads stream out with ranges, and the file manager's operations act in the volume")
    func roundTrip() async throws {
        try await TestDaemon.with { daemon in
            let specification = TestDaemon.echoSpecification()
            try await daemon.deployRunning(specification)
            let id = specification.id
            let volume = daemon.configuration.volumesDirectory + "/" + id
            let payload = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            let upload = try await daemon.request(.PUT, Self.files(id, DaemonRoutes.fileContents, path: "world/region/r.0.0.mca"), bytes: payload)
            #expect(upload.status == 201)
            #expect(try Data(contentsOf: URL(fileURLWithPath: volume + "/world/region/r.0.0.mca")) == payload)
            let owner = try FileManager.default.attributesOfItem(atPath: volume + "/world/region/r.0.0.mca")[.ownerAccountID] as? NSNumber
            let volumeOwner = try FileManager.default.attributesOfItem(atPath: volume)[.ownerAccountID] as? NSNumber
            #expect(owner == volumeOwner, "uploaded files are the instance's user's")

            let whole = try await daemon.request(.GET, Self.files(id, DaemonRoutes.fileContents, path: "world/region/r.0.0.mca"))
            #expect(whole.status == 200 && whole.body == payload && whole.headers["accept-ranges"] == "bytes")
            let part = try await daemon.request(
                .GET,
                Self.files(id, DaemonRoutes.fileContents, path: "world/region/r.0.0.mca"),
                headers: [("Range", "bytes=1000-1999")]
            )
            #expect(part.status == 206 && part.body == payload[1000..<2000])
            #expect(part.headers["content-range"] == "bytes 1000-1999/\(payload.count)")
            let tail = try await daemon.request(
                .GET,
                Self.files(id, DaemonRoutes.fileContents, path: "world/region/r.0.0.mca"),
                headers: [("Range", "bytes=-10")]
            )
            #expect(tail.status == 206 && tail.body == payload.suffix(10))
            let beyond = try await daemon.request(
                .GET,
                Self.files(id, DaemonRoutes.fileContents, path: "world/region/r.0.0.mca"),
                headers: [("Range", "bytes=\(payload.count)-")]
            )
            #expect(beyond.status == 416 && beyond.headers["content-range"] == "bytes */\(payload.count)")

            #expect(try await daemon.request(.POST, DaemonRoutes.folders.path(id: id), body: FolderRequest(path: "plugins")).status == 201)
            #expect(try await daemon.request(.POST, DaemonRoutes.folders.path(id: id), body: FolderRequest(path: "plugins")).status == 409)
            let copy = try await daemon.request(.POST, DaemonRoutes.fileCopy.path(id: id), body: FileTransferRequest(from: "world", to: "world-copy"))
            #expect(copy.status == 201)
            let move = try await daemon.request(
                .POST,
                DaemonRoutes.fileMove.path(id: id),
                body: FileTransferRequest(from: "world-copy", to: "plugins/w")
            )
            #expect(move.status == 200)
            let mode = try await daemon.request(.POST, DaemonRoutes.fileMode.path(id: id), body: FileModeRequest(path: "plugins", mode: "750"))
            #expect(try mode.decode(VolumeEntry.self).mode == "750")
            let setuid = try await daemon.request(.POST, DaemonRoutes.fileMode.path(id: id), body: FileModeRequest(path: "plugins", mode: "4750"))
            #expect(setuid.status == 400 && setuid.error == "plugins: set-uid and set-gid bits may not be set")
            let notOctal = try await daemon.request(.POST, DaemonRoutes.fileMode.path(id: id), body: FileModeRequest(path: "plugins", mode: "rwx"))
            #expect(notOctal.error == "mode must be octal permission bits, such as 644 or 755")
            let listing = try await daemon.request(.GET, Self.files(id, DaemonRoutes.files, path: "plugins/w/region")).decode(FolderListing.self)
            #expect(
                listing.path == "/plugins/w/region" && listing.entries.map(\.name) == ["r.0.0.mca"]
                    && listing.entries.first?.size == Int64(payload.count)
            )
            // A list with one missing path deletes nothing.
            let partial = try await daemon.request(
                .POST,
                DaemonRoutes.fileDeletion.path(id: id),
                body: FileDeletionRequest(paths: ["world", "nope"])
            )
            #expect(partial.status == 404 && partial.error == "nope does not exist")
            #expect(FileManager.default.fileExists(atPath: volume + "/world"))
            #expect(
                try await daemon.request(.GET, DaemonRoutes.fileContents.path(id: id)).error
                    == "the path query item is missing; name a file, such as ?path=server.properties"
            )
            #expect(try await daemon.request(.GET, Self.files("nobody", DaemonRoutes.files)).status == 404)
            // The server sees what the file manager made.
            #expect(try await daemon.request(.POST, "/api/instances/\(id)/command", body: CommandRequest(command: "x")).status == 204)
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
    }

    @Test("an instance's files are not reachable while it installs or is suspended")
    func unavailable() async throws {
        try await TestDaemon.with { daemon in
            let specification = TestDaemon.echoSpecification(install: InstallScript(script: "sleep 30"))
            _ = try await daemon.deploy(specification)
            let installing = try await daemon.request(.GET, Self.files(specification.id, DaemonRoutes.files))
            #expect(installing.status == 409 && installing.error == "the instance is installing; its files are the installer's until it finishes")
            try await daemon.request(.DELETE, "/api/instances/\(specification.id)")

            let suspended = TestDaemon.echoSpecification()
            _ = try await daemon.deploy(suspended)
            try await daemon.waitFor(suspended.id, "READY") { $0.installState == .ready }
            try await daemon.request(.POST, "/api/instances/\(suspended.id)/suspension", body: SuspensionRequest(suspended: true))
            let refused = try await daemon.request(.GET, Self.files(suspended.id, DaemonRoutes.files))
            #expect(refused.status == 409 && refused.error == "the instance is suspended; its files cannot be reached until it is unsuspended")
            try await daemon.request(.DELETE, "/api/instances/\(suspended.id)")
        }
    }
}
