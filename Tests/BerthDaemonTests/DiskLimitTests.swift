import BerthProtocol
import BerthTestSupport
import Foundation
import Testing

@testable import BerthDaemon

/// Disk limits as the kernel enforces them: each limited instance on an image of its own, written past
/// by real containers; resized while stopped; mounted again after a reboot; removed with the instance.
@Suite("Disk limits the kernel enforces", .timeLimit(.minutes(4)))
struct DiskLimitTests {
    /// An instance with `diskMiB` of disk that runs `startup` in its volume, says it is ready, then runs
    /// `then` (by default, echoes what the console sends).
    static func limited(_ diskMiB: Int, startup: String, then: String = #"while read line; do echo "echo:$line"; done"#) -> InstanceSpecification {
        var specification = TestDaemon.echoSpecification(startup: "cd /home/container; \(startup); echo ready; \(then)")
        specification.limits.diskMiB = diskMiB
        return specification
    }

    static func size(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? -1
    }

    /// The room of the file system at `path`, as the daemon reads it; nothing when it cannot be read.
    static func room(_ path: String) -> (total: Int64, available: Int64, used: Int64) {
        HostResources.disk(at: path) ?? (0, 0, 0)
    }

    @Test("a container writing past its limit gets ENOSPC at the limit; its neighbour, uploads and the host's disk are unaffected")
    func writingPastTheLimit() async throws {
        try await TestDaemon.with { daemon in
            let system = try await daemon.request(.GET, DaemonRoutes.system.pattern).decode(NodeInfo.self)
            #expect(system.diskLimits?.mode == .imagePerInstance, "\(String(describing: system.diskLimits))")

            // The log has a block of its own before the disk fills, so dd's complaint still fits in it.
            let greedy = Self.limited(
                32,
                startup: "echo start > dd.log; dd if=/dev/zero of=big bs=1M count=64 2>> dd.log; echo \"dd exit $?\" >> dd.log"
            )
            let neighbour = TestDaemon.echoSpecification(
                startup: "cd /home/container; dd if=/dev/zero of=big bs=1M count=48 2>/dev/null; echo ready; cat"
            )
            try await daemon.deployRunning(greedy)
            try await daemon.deployRunning(neighbour)
            let volume = daemon.configuration.volumesDirectory + "/" + greedy.id

            let log = try String(contentsOfFile: volume + "/dd.log", encoding: .utf8)
            #expect(log.contains("No space left on device") && log.contains("dd exit 1"), "\(log)")
            let written = Self.size(volume + "/big")
            #expect(written >= 32 << 20 && written < 40 << 20, "stopped at about its 32 MiB: \(written)")
            #expect(Self.size(daemon.configuration.volumesDirectory + "/\(neighbour.id)/big") == 48 << 20)
            // The image holds its room on the host's disk (not sparse, where a full host would lose writes).
            var image = stat()
            stat(daemon.configuration.dataDirectory + "/disks/\(greedy.id).ext4", &image)
            #expect(Int64(image.st_blocks) * 512 >= 32 << 20 && Int64(image.st_size) < 48 << 20, "\(image.st_blocks) blocks, \(image.st_size) bytes")

            let disks = try await daemon.request(.GET, DaemonRoutes.disks.pattern).decode([String: DiskUsage].self)
            let usage = try #require(disks[greedy.id])
            #expect(usage.limitBytes == 32 << 20 && usage.usedBytes >= 31 << 20 && usage.isFull, "shown full: \(usage)")
            // Without a limit, the files are counted by a walk in the background: there once it ends.
            let deadline = ContinuousClock.now + .seconds(30)
            var counted = disks[neighbour.id]
            while counted == nil {
                guard ContinuousClock.now < deadline else { throw TestFailure("the neighbour's files were never counted") }
                try await Task.sleep(for: .milliseconds(200))
                counted = try await daemon.request(.GET, DaemonRoutes.disks.pattern).decode([String: DiskUsage].self)[neighbour.id]
            }
            #expect(counted?.limitBytes == nil && (counted?.usedBytes ?? 0) >= 48 << 20 && counted?.isFull == false, "\(String(describing: counted))")

            // The file manager writes through the same kernel: a full disk is a 507, and leaves no part behind.
            let before = try FileManager.default.contentsOfDirectory(atPath: volume).sorted()
            let upload = try await daemon.request(
                .PUT,
                FileRouteTests.files(greedy.id, DaemonRoutes.fileContents, path: "plugin.jar"),
                bytes: Data(repeating: 7, count: 4 << 20)
            )
            #expect(upload.status == 507, "\(upload.status) \(upload.text)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: volume).sorted() == before)

            // Deleting frees the room at once.
            let deletion = try await daemon.request(.POST, DaemonRoutes.fileDeletion.path(id: greedy.id), body: FileDeletionRequest(paths: ["big"]))
            #expect(deletion.status == 200 || deletion.status == 204, "\(deletion.status) \(deletion.text)")
            let retried = try await daemon.request(
                .PUT,
                FileRouteTests.files(greedy.id, DaemonRoutes.fileContents, path: "plugin.jar"),
                bytes: Data(repeating: 7, count: 4 << 20)
            )
            #expect(retried.status == 200 || retried.status == 201, "\(retried.status) \(retried.text)")
        }
    }

    @Test("a limit grows and shrinks while the instance is stopped, never below its files, and is refused while it runs")
    func resizing() async throws {
        try await TestDaemon.with { daemon in
            let specification = Self.limited(32, startup: "[ -f world ] || dd if=/dev/zero of=world bs=1M count=20 2>/dev/null")
            try await daemon.deployRunning(specification)
            let id = specification.id
            let volume = daemon.configuration.volumesDirectory + "/" + id
            var limits = specification.limits

            limits.diskMiB = 64
            let whileRunning = try await daemon.request(.PUT, DaemonRoutes.limits.path(id: id), body: limits)
            #expect(whileRunning.status == 409 && whileRunning.error?.contains("stop the instance first") == true, "\(whileRunning.text)")
            #expect(Self.room(volume).total < 40 << 20)

            try await daemon.power(.stop, id)
            try await daemon.waitFor(id, "offline") { $0.powerState == .offline }
            let grown = try await daemon.request(.PUT, DaemonRoutes.limits.path(id: id), body: limits)
            #expect(grown.status == 200, "\(grown.text)")
            #expect(Self.room(volume).available >= 44 << 20, "64 MiB with 20 used: \(Self.room(volume))")
            #expect(Self.size(volume + "/world") == 20 << 20)

            limits.diskMiB = 16
            let tooSmall = try await daemon.request(.PUT, DaemonRoutes.limits.path(id: id), body: limits)
            #expect(tooSmall.status == 409 && tooSmall.error?.contains("take more room than 16 MiB") == true, "\(tooSmall.text)")
            #expect(Self.room(volume).total >= 64 << 20, "the refused shrink changed nothing")
            #expect(Self.size(volume + "/world") == 20 << 20)

            // A pebibyte: more than the host's file system holds, or lets one file be (ext4's 16 TiB).
            limits.diskMiB = 1 << 30
            let tooLarge = try await daemon.request(.PUT, DaemonRoutes.limits.path(id: id), body: limits)
            #expect(tooLarge.status == 409 && tooLarge.error?.contains("has no room for a disk") == true, "\(tooLarge.text)")
            #expect(Self.room(volume).total >= 64 << 20 && Self.room(volume).total < 80 << 20, "the refused growth changed nothing")
            #expect(Self.size(volume + "/world") == 20 << 20)

            limits.diskMiB = 24
            let shrunk = try await daemon.request(.PUT, DaemonRoutes.limits.path(id: id), body: limits)
            #expect(shrunk.status == 200, "\(shrunk.text)")
            let room = Self.room(volume)
            #expect(room.total < 40 << 20 && room.available >= 3 << 20, "24 MiB with 20 used: \(room)")

            try await daemon.power(.start, id)
            try await daemon.waitFor(id, "running") { $0.powerState == .running }
            #expect(Self.size(volume + "/world") == 20 << 20, "the files came through both resizes")
            let status = try await daemon.status(of: id)
            #expect(status.powerState == .running)
        }
    }

    @Test("a disk larger than the host can hold fails the install with the reason, and leaves no image behind")
    func diskBeyondTheHost() async throws {
        try await TestDaemon.with { daemon in
            let specification = Self.limited(1 << 30, startup: "true")
            _ = try await daemon.deploy(specification)
            let failed = try await daemon.waitFor(specification.id, "FAILED") { $0.installState == .failed }
            #expect(failed.reason?.contains("has no room for a disk") == true, "\(failed)")
            let image = daemon.configuration.dataDirectory + "/disks/\(specification.id).ext4"
            #expect(!FileManager.default.fileExists(atPath: image), "the refused image was removed")
        }
    }

    @Test("a limit given to an instance made without one moves its files onto a disk of their own, unless they do not fit; removed, they move back")
    func limitsComeAndGo() async throws {
        try await TestDaemon.with { daemon in
            let plant =
                "[ -f world ] || { dd if=/dev/zero of=world bs=1M count=20 2>/dev/null; mkdir plugins; echo on > plugins/a.yml; ln -s plugins/a.yml link; }"
            let specification = TestDaemon.echoSpecification(startup: "cd /home/container; \(plant); echo ready; cat")
            try await daemon.deployRunning(specification)
            let id = specification.id
            let volume = daemon.configuration.volumesDirectory + "/" + id
            var limits = specification.limits
            func files() throws -> [String] {
                try FileManager.default.subpathsOfDirectory(atPath: volume).sorted()
            }
            let before = try files()
            #expect(before.contains("link") && before.contains("plugins/a.yml"), "\(before)")

            limits.diskMiB = 64
            let whileRunning = try await daemon.request(.PUT, DaemonRoutes.limits.path(id: id), body: limits)
            #expect(whileRunning.status == 409 && whileRunning.error?.contains("stop the instance first") == true, "\(whileRunning.text)")
            try await daemon.power(.stop, id)
            try await daemon.waitFor(id, "offline") { $0.powerState == .offline }

            limits.diskMiB = 16
            let tooSmall = try await daemon.request(.PUT, DaemonRoutes.limits.path(id: id), body: limits)
            #expect(tooSmall.status == 409 && tooSmall.error?.contains("take more room than 16 MiB") == true, "\(tooSmall.text)")
            #expect(
                !HostShell.mountPoints().contains(volume)
                    && !FileManager.default.fileExists(atPath: daemon.configuration.dataDirectory + "/disks/\(id).ext4")
            )
            #expect(try files() == before, "the refused move changed nothing")

            limits.diskMiB = 64
            let given = try await daemon.request(.PUT, DaemonRoutes.limits.path(id: id), body: limits)
            #expect(given.status == 200, "\(given.text)")
            #expect(HostShell.mountPoints().contains(volume), "the files are on a disk of their own")
            #expect(try files() == before && Self.size(volume + "/world") == 20 << 20)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: volume + "/link") == "plugins/a.yml", "a link stays a link")
            var world = stat()
            stat(volume + "/world", &world)
            let owner = try #require(await daemon.daemon.supervisor.records[id]?.hostID)
            #expect(world.st_uid == owner, "the files keep their owner")
            let disks = try await daemon.request(.GET, DaemonRoutes.disks.pattern).decode([String: DiskUsage].self)
            #expect(disks[id]?.limitBytes == 64 << 20)

            // It runs on its disk: what it writes is the disk's.
            try await daemon.power(.start, id)
            try await daemon.waitFor(id, "running") { $0.powerState == .running }
            try await daemon.power(.stop, id)
            try await daemon.waitFor(id, "offline") { $0.powerState == .offline }

            limits.diskMiB = nil
            let removed = try await daemon.request(.PUT, DaemonRoutes.limits.path(id: id), body: limits)
            #expect(removed.status == 200, "\(removed.text)")
            #expect(
                !HostShell.mountPoints().contains(volume)
                    && !FileManager.default.fileExists(atPath: daemon.configuration.dataDirectory + "/disks/\(id).ext4")
            )
            #expect(try files() == before, "the files came back off the disk")
            var folder = stat()
            stat(volume, &folder)
            #expect(folder.st_uid == owner, "the instance's own folder again")
            try await daemon.power(.start, id)
            try await daemon.waitFor(id, "running") { $0.powerState == .running }
        }
    }

    @Test("a backup restores into a full disk: unpacked onto a disk of its own, then swapped in, so it needs room for itself alone")
    func restoreIntoAFullDisk() async throws {
        try await TestDaemon.with { daemon in
            let specification = Self.limited(48, startup: "[ -f big ] || dd if=/dev/zero of=big bs=1M count=30 2>/dev/null; echo boot >> boots.txt")
            let id = specification.id
            try await daemon.deployRunning(specification)
            let volume = daemon.configuration.volumesDirectory + "/" + id
            let backup = UUID().uuidString.lowercased()
            let made = try await daemon.request(.PUT, Self.backupRoute(DaemonRoutes.backup, id, backup), body: BackupRequest(stopFirst: true))
            #expect(made.status == 201, "\(made.status) \(made.text)")
            let summary = try made.decode(BackupSummary.self)

            // 30 MiB in the backup and 30 + 12 MiB in the 48 MiB disk: unpacked beside the old files, it would not fit.
            try await daemon.waitFor(id, "running again") { $0.powerState == .running }
            let upload = try await daemon.request(
                .PUT,
                FileRouteTests.files(id, DaemonRoutes.fileContents, path: "after.bin"),
                bytes: Data(repeating: 7, count: 12 << 20)
            )
            #expect(upload.status == 200 || upload.status == 201, "\(upload.status) \(upload.text)")
            // A file of the old disk held open (as a download or an SFTP handle would) does not hold the restore up.
            let held = open(volume + "/after.bin", O_RDONLY)
            defer { close(held) }
            let restored = try await daemon.request(
                .POST,
                Self.backupRoute(DaemonRoutes.backupRestore, id, backup),
                body: RestoreRequest(sha256: summary.sha256)
            )
            #expect(restored.status == 200, "\(restored.status) \(restored.text)")
            var firstByte: UInt8 = 0
            #expect(held >= 0 && pread(held, &firstByte, 1, 0) == 1 && firstByte == 7, "the open file reads on from the old disk")

            try await daemon.waitFor(id, "running after the restore") { $0.powerState == .running }
            #expect(try FileManager.default.contentsOfDirectory(atPath: volume).sorted() == ["big", "boots.txt"])
            #expect(Self.size(volume + "/big") == 30 << 20)
            var big = stat()
            stat(volume + "/big", &big)
            #expect(big.st_uid == (await daemon.daemon.supervisor.records[id]?.hostID), "the restored files are the instance's user's")
            // The instance's own disk, with its limit, holds the backup's files alone; no staged disk or folder is left.
            #expect(HostShell.mountPoints().contains(volume))
            let usage = try #require(try await daemon.request(.GET, DaemonRoutes.disks.pattern).decode([String: DiskUsage].self)[id])
            #expect(usage.limitBytes == 48 << 20 && usage.usedBytes < 36 << 20, "\(usage)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: daemon.configuration.dataDirectory + "/disks") == ["\(id).ext4"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: daemon.configuration.volumesDirectory).filter { $0.hasPrefix(".") } == [])
            #expect(!HostShell.mountPoints().contains { $0.contains(".\(id).restore-") })
        }
    }

    static func backupRoute(_ route: RoutePath, _ id: String, _ backup: String) -> String {
        route.path(id: id).replacingOccurrences(of: ":backup", with: backup)
    }

    @Test("after a reboot the disk is mounted again before the instance starts; deleting the instance removes disk and mount")
    func remountAndRemoval() async throws {
        let dataDirectory = TestDaemon.makeDataDirectory()
        let specification = Self.limited(24, startup: "echo kept >> notes.txt")
        let volume = dataDirectory + "/volumes/" + specification.id
        try await TestDaemon.with(dataDirectory: dataDirectory, keepingContainers: true) { daemon in
            try await daemon.deployRunning(specification)
            try await daemon.power(.stop, specification.id)
            try await daemon.waitFor(specification.id, "offline") { $0.powerState == .offline }
        }
        // A reboot: the image is no longer mounted, and what is left is a folder nobody may write to.
        try HostShell.run("umount '\(volume)'")
        #expect(try FileManager.default.contentsOfDirectory(atPath: volume).isEmpty)
        var folder = stat()
        stat(volume, &folder)
        #expect(folder.st_mode & 0o777 == 0 && folder.st_uid == 0, "mode \(String(folder.st_mode, radix: 8)), owner \(folder.st_uid)")

        try await TestDaemon.with(dataDirectory: dataDirectory) { daemon in
            let deadline = ContinuousClock.now + .seconds(30)
            while !HostShell.mountPoints().contains(volume) {
                guard ContinuousClock.now < deadline else { throw TestFailure("the disk was never mounted again") }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(try String(contentsOfFile: volume + "/notes.txt", encoding: .utf8) == "kept\n")
            // Until the node has matched the instance with its container, a start is "try again in a moment".
            while try await daemon.power(.start, specification.id).status == 503 {
                guard ContinuousClock.now < deadline else { throw TestFailure("the instance never became available to start") }
                try await Task.sleep(for: .milliseconds(100))
            }
            try await daemon.waitFor(specification.id, "running") { $0.powerState == .running }
            #expect(try String(contentsOfFile: volume + "/notes.txt", encoding: .utf8) == "kept\nkept\n")

            let deletion = try await daemon.request(.DELETE, DaemonRoutes.instance.path(id: specification.id))
            #expect(deletion.status == 204, "\(deletion.text)")
            #expect(!HostShell.mountPoints().contains(volume))
            #expect(!FileManager.default.fileExists(atPath: volume))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dataDirectory + "/disks").isEmpty, "the image is gone")
        }
    }
}
