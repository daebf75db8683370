import BerthProtocol
import BerthTestSupport
import Foundation
import Testing

@testable import BerthDaemon

/// Disk limits as project quotas on one XFS file system for all volumes. This machine's kernel has XFS
/// without quotas: the walk that puts a volume's files in their project runs here on a real XFS mount,
/// and a node asked for a volumes image falls back and says why. `scripts/quota-guest` runs the suite on
/// a stock Debian kernel that keeps XFS quotas, where real containers write past their limits:
///
///     swift build --build-tests
///     scripts/quota-guest --env BERTH_TEST_PROJECT_QUOTAS=1 'cd /work/main &&
///       .build/debug/BerthPackageTests.xctest --testing-library swift-testing --filter ProjectQuotaTests'
@Suite("Project quotas", .timeLimit(.minutes(10)))
struct ProjectQuotaTests {
    /// Set by `scripts/quota-guest`, whose kernel keeps XFS project quotas.
    static let kernelKeepsQuotas = ProcessInfo.processInfo.environment["BERTH_TEST_PROJECT_QUOTAS"] == "1"

    /// A fresh XFS file system, loop-mounted without quotas (which this kernel cannot), for as long as `body` runs.
    static func withXFS(_ body: (String) throws -> Void) throws {
        let folder = NSTemporaryDirectory() + "berth-xfs-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder + "/mnt", withIntermediateDirectories: true)
        defer {
            _ = try? HostShell.run("umount \(folder)/mnt")
            try? FileManager.default.removeItem(atPath: folder)
        }
        try HostShell.run("truncate -s 300M \(folder)/xfs.img && mkfs.xfs -q \(folder)/xfs.img && mount -o loop \(folder)/xfs.img \(folder)/mnt")
        try body(folder + "/mnt")
    }

    @Test("a volume's files and folders join its project, and no link the tenant planted takes a file outside it along")
    func walkStaysInside() throws {
        try Self.withXFS { root in
            let volume = root + "/volume"
            try HostShell.run(
                """
                set -e
                mkdir -p \(root)/outside/folder \(volume)/world/region
                echo secret > \(root)/outside/secret
                echo chunk > \(volume)/world/region/r.0.0.mca
                echo props > \(volume)/server.properties
                ln -s ../outside/secret \(volume)/relative
                ln -s \(root)/outside/secret \(volume)/absolute
                ln -s ../outside/folder \(volume)/folder-link
                ln -s /etc/passwd \(volume)/world/passwd
                mkfifo \(volume)/pipe
                cd \(volume) && for i in $(seq 1 100); do mkdir d && cd d; done && echo deep > deep.txt
                """
            )
            let quotas = ProjectQuotas(volumesDirectory: root)
            try quotas.makeProject(volume, project: 4242, owner: 1234)

            let inside = try FileManager.default.subpathsOfDirectory(atPath: volume)
                .map { volume + "/" + $0 }
                .filter { (try? FileManager.default.destinationOfSymbolicLink(atPath: $0)) == nil && !$0.hasSuffix("/pipe") }
            #expect(inside.count > 100, "\(inside.count)")
            for path in inside + [volume] { #expect(ProjectQuotas.project(of: path) == 4242, "\(path)") }
            for path in [root + "/outside/secret", root + "/outside/folder"] {
                #expect(ProjectQuotas.project(of: path) == 0, "\(path) is not the instance's")
            }
            // (Some file systems keep no project ids at all: the host's own /etc may say nothing.)
            #expect(ProjectQuotas.project(of: "/etc/passwd") ?? 0 == 0)
            // New files inherit the project, with no walk.
            try HostShell.run("echo new > \(volume)/world/new.dat")
            #expect(ProjectQuotas.project(of: volume + "/world/new.dat") == 4242)

            // A folder made for a new instance is its user's, closed to others, and a project from the start.
            try quotas.makeProject(root + "/fresh", project: 4243, owner: 1234)
            var fresh = stat()
            stat(root + "/fresh", &fresh)
            #expect(fresh.st_uid == 1234 && fresh.st_mode & 0o777 == 0o750 && ProjectQuotas.project(of: root + "/fresh") == 4243)
        }
    }

    @Test(
        "asked for a volumes image on a kernel without XFS quotas, a node says why, keeps an image per instance and leaves no image",
        .enabled(if: !kernelKeepsQuotas)
    )
    func volumesImageWithoutQuotas() async throws {
        let data = TestDaemon.makeDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let volumes = data + "/volumes"
        let support = await InstanceDisks.detectSupport(dataDirectory: data, volumesDirectory: volumes, volumesImageBytes: 512 << 20)
        #expect(support.mode == .imagePerInstance, "\(support)")
        #expect(
            support.detail.hasPrefix("the volumes image could not be used") && support.detail.contains("mounted with project quotas"),
            "\(support.detail)"
        )
        #expect(!FileManager.default.fileExists(atPath: data + "/disks/volumes.xfs"), "the image this kernel cannot use holds no room")
        #expect(!HostShell.mountPoints().contains(volumes))
    }

    @Test("a volumes image is refused over a volumes folder that holds files: they would vanish under it")
    func volumesImageOverFiles() async throws {
        let data = TestDaemon.makeDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        try FileManager.default.createDirectory(atPath: data + "/volumes/t-existing", withIntermediateDirectories: true)
        let image = VolumesImage(imagePath: data + "/disks/volumes.xfs", mountPoint: data + "/volumes")
        await #expect(throws: DiskFailure.self) { try await image.mount(makingIt: 512 << 20) }
        #expect(!FileManager.default.fileExists(atPath: data + "/disks/volumes.xfs"))
        #expect(FileManager.default.fileExists(atPath: data + "/volumes/t-existing"))
    }

    @Test(
        "project-quota mode on real containers: ENOSPC at the limit, neighbours unaffected, usage read at once, limits changed while running, no way out of the project, and all of it after a restart",
        .enabled(if: kernelKeepsQuotas)
    )
    func projectQuotaMode() async throws {
        let data = TestDaemon.makeDataDirectory()
        let volumes = data + "/volumes"
        defer {
            _ = try? HostShell.run("umount \(volumes)")
            try? FileManager.default.removeItem(atPath: data)
        }
        // Commands sent on the console are run, so the test can write more once the limit has changed.
        let runCommands = #"while read line; do eval "$line"; echo "done:$line"; done"#
        let greedy = DiskLimitTests.limited(
            32,
            // The log has a block of its own before the disk fills, so dd's complaint still fits in it.
            // Once: the backup and the restore below start it again.
            startup: "[ -f dd.log ] || { echo start > dd.log; fileattr-probe setproject dd.log > probe.txt; "
                + "dd if=/dev/zero of=big bs=1M count=64 2>> dd.log; echo \"dd exit $?\" >> dd.log; }",
            then: runCommands
        )
        let neighbour = TestDaemon.echoSpecification(
            startup: "cd /home/container; dd if=/dev/zero of=big bs=1M count=48 2>/dev/null; echo ready; cat"
        )

        try await TestDaemon.with(dataDirectory: data, keepingContainers: true, volumesImageBytes: 1 << 30) { daemon in
            let system = try await daemon.request(.GET, DaemonRoutes.system.pattern).decode(NodeInfo.self)
            #expect(system.diskLimits?.mode == .projectQuota, "\(String(describing: system.diskLimits))")
            #expect(try HostShell.run("grep ' \(volumes) ' /proc/mounts").contains("prjquota"))

            try await daemon.deployRunning(greedy)
            try await daemon.deployRunning(neighbour)
            let volume = volumes + "/" + greedy.id
            let log = try String(contentsOfFile: volume + "/dd.log", encoding: .utf8)
            #expect(log.contains("No space left on device") && log.contains("dd exit 1"), "\(log)")
            let written = DiskLimitTests.size(volume + "/big")
            #expect(written > 30 << 20 && written <= 32 << 20, "stopped at its 32 MiB: \(written)")
            #expect(DiskLimitTests.size(volumes + "/\(neighbour.id)/big") == 48 << 20)
            // The container could not take its files out of the project.
            #expect(try String(contentsOfFile: volume + "/probe.txt", encoding: .utf8).contains("setproject 1"))
            let project = try #require(await daemon.daemon.supervisor.records[greedy.id]?.hostID)
            #expect(ProjectQuotas.project(of: volume + "/big") == project && ProjectQuotas.project(of: volume + "/dd.log") == project)
            // df in the container shows its limit.
            #expect(DiskLimitTests.room(volume).total == 32 << 20, "\(DiskLimitTests.room(volume))")

            // Read at once for every instance, those without a limit too.
            let disks = try await daemon.request(.GET, DaemonRoutes.disks.pattern).decode([String: DiskUsage].self)
            let usage = try #require(disks[greedy.id])
            #expect(usage.limitBytes == 32 << 20 && usage.usedBytes >= 31 << 20 && usage.isFull, "\(usage)")
            let counted = try #require(disks[neighbour.id])
            #expect(counted.limitBytes == nil && counted.usedBytes >= 48 << 20, "\(counted)")

            // An upload past the limit is refused and leaves nothing.
            let upload = try await daemon.request(
                .PUT,
                FileRouteTests.files(greedy.id, DaemonRoutes.fileContents, path: "plugin.jar"),
                bytes: Data(repeating: 7, count: 4 << 20)
            )
            #expect(upload.status == 507, "\(upload.status) \(upload.text)")
            #expect(!FileManager.default.fileExists(atPath: volume + "/plugin.jar"))

            // Raised while it runs: the server writes on at once.
            var limits = greedy.limits
            limits.diskMiB = 96
            let raised = try await daemon.request(.PUT, DaemonRoutes.limits.path(id: greedy.id), body: limits)
            #expect(raised.status == 200, "\(raised.text)")
            #expect(try await daemon.status(of: greedy.id).powerState == .running)
            let command = "dd if=/dev/zero of=more bs=1M count=40 2>/dev/null; echo wrote-$?"
            let messages = try await daemon.withConsole(greedy.id, send: [ConsoleRequest(event: .command, data: command)]) {
                $0.output.contains("done:")
            }
            #expect(messages.output.contains("wrote-0"), "\(messages.output)")
            #expect(DiskLimitTests.size(volume + "/more") == 40 << 20)

            // Lowered below what it holds: refused, nothing changed.
            limits.diskMiB = 16
            let lowered = try await daemon.request(.PUT, DaemonRoutes.limits.path(id: greedy.id), body: limits)
            #expect(lowered.status == 409 && lowered.error?.contains("take more room than 16 MiB") == true, "\(lowered.text)")
            #expect(DiskLimitTests.room(volume).total == 96 << 20)

            // A backup of 72 MiB restored into a 96 MiB limit with 72 MiB and more in it: unpacked beside the old files
            // it would not fit, but it is unpacked where it counts against no project and then joins the instance's.
            let backup = UUID().uuidString.lowercased()
            let made = try await daemon.request(
                .PUT,
                DiskLimitTests.backupRoute(DaemonRoutes.backup, greedy.id, backup),
                body: BackupRequest(stopFirst: true)
            )
            #expect(made.status == 201, "\(made.status) \(made.text)")
            let summary = try made.decode(BackupSummary.self)
            #expect(summary.bytes >= 70 << 20, "\(summary)")
            try await daemon.waitFor(greedy.id, "running again") { $0.powerState == .running }
            let extra = try await daemon.request(
                .PUT,
                FileRouteTests.files(greedy.id, DaemonRoutes.fileContents, path: "after.bin"),
                bytes: Data(repeating: 7, count: 12 << 20)
            )
            #expect(extra.status == 200 || extra.status == 201, "\(extra.status) \(extra.text)")
            let restored = try await daemon.request(
                .POST,
                DiskLimitTests.backupRoute(DaemonRoutes.backupRestore, greedy.id, backup),
                body: RestoreRequest(sha256: summary.sha256)
            )
            #expect(restored.status == 200, "\(restored.status) \(restored.text)")
            try await daemon.waitFor(greedy.id, "running after the restore") { $0.powerState == .running }
            #expect(try FileManager.default.contentsOfDirectory(atPath: volume).sorted() == ["big", "dd.log", "more", "probe.txt"])
            #expect(DiskLimitTests.size(volume + "/more") == 40 << 20 && ProjectQuotas.project(of: volume + "/more") == project)
            #expect(ProjectQuotas.project(of: volume) == project, "the new folder is the project, so new files join it")
            let afterRestore = try #require(ProjectQuotas(volumesDirectory: volumes).usage(of: project))
            #expect(afterRestore.used >= 70 << 20 && afterRestore.used < 80 << 20 && afterRestore.limit == 96 << 20, "\(afterRestore)")
        }

        // As after a reboot: the volumes image unmounted; the next daemon mounts it before anything starts.
        try HostShell.run("umount \(volumes)")
        try await TestDaemon.with(dataDirectory: data, volumesImageBytes: 1 << 30) { daemon in
            let system = try await daemon.request(.GET, DaemonRoutes.system.pattern).decode(NodeInfo.self)
            #expect(system.diskLimits?.mode == .projectQuota)
            let disks = try await daemon.request(.GET, DaemonRoutes.disks.pattern).decode([String: DiskUsage].self)
            #expect(disks[greedy.id]?.limitBytes == 96 << 20 && (disks[greedy.id]?.usedBytes ?? 0) >= 70 << 20, "\(disks)")
            #expect(DiskLimitTests.room(volumes + "/" + greedy.id).total == 96 << 20, "the limit is kept in the image")
            for id in [greedy.id, neighbour.id] {
                #expect(try await daemon.request(.DELETE, "/api/instances/\(id)").status == 204)
            }
            #expect(ProjectQuotas(volumesDirectory: volumes).usage(of: 0) != nil)
        }
    }
}
