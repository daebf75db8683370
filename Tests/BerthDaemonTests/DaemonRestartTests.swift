import BerthProtocol
import BerthTestSupport
import Foundation
import Testing

@testable import BerthDaemon

@Suite("Daemon restarts", .timeLimit(.minutes(3)))
struct DaemonRestartTests {
    @Test("a restarted daemon reattaches to a running instance and its console")
    func reattach() async throws {
        let dataDirectory = TestDaemon.makeDataDirectory()
        let token = "restart-token-\(UUID().uuidString)"
        let specification = TestDaemon.echoSpecification()
        let id = specification.id
        let containerID = try await TestDaemon.with(dataDirectory: dataDirectory, token: token, keepingContainers: true) { daemon in
            try #require(try await daemon.deployRunning(specification).containerID)
        }
        // The first daemon is gone; its instance is not.
        try await TestDaemon.with(dataDirectory: dataDirectory, token: token) { daemon in
            #expect(try await daemon.docker.inspectContainer(containerID).state.running)
            let status = try await daemon.waitFor(id, "running again") { $0.powerState == .running }
            #expect(status.containerID == containerID)
            let messages = try await daemon.withConsole(id, send: [ConsoleRequest(event: .command, data: "still here")]) {
                $0.output.contains("echo:still here")
            }
            #expect(messages.output.contains("ready\n"), "what the instance wrote before the restart is replayed")
            #expect(try await daemon.power(.stop, id).status == 200)
            let stopped = try await daemon.waitFor(id, "offline") { $0.powerState == .offline }
            #expect(stopped.lastExitCode == 0)
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
    }

    @Test("an instance made before the tenant network (on Docker's default bridge) is moved behind it at the next start")
    func unfencedContainerIsMovedBehindTheFence() async throws {
        let dataDirectory = TestDaemon.makeDataDirectory()
        let token = "restart-token-\(UUID().uuidString)"
        let specification = TestDaemon.echoSpecification()
        let id = specification.id
        // A daemon without the fence makes containers as one from before it did.
        let unfenced = try await TestDaemon.with(dataDirectory: dataDirectory, token: token, keepingContainers: true, isolatesNetwork: false) {
            daemon in
            let containerID = try #require(try await daemon.deployRunning(specification).containerID)
            let networks = try await daemon.docker.inspectContainer(containerID).networkSettings.networks ?? [:]
            #expect(networks[TenantNetwork.name] == nil)
            return containerID
        }
        try await TestDaemon.with(dataDirectory: dataDirectory, token: token) { daemon in
            let status = try await daemon.waitFor(id, "running behind the fence") { $0.powerState == .running && $0.containerID != unfenced }
            let containerID = try #require(status.containerID)
            let networks = try await daemon.docker.inspectContainer(containerID).networkSettings.networks ?? [:]
            #expect(networks[TenantNetwork.name] != nil, "on the tenant network")
            #expect(networks["bridge"] == nil, "and off Docker's default bridge")
            await #expect(throws: (any Error).self) { try await daemon.docker.inspectContainer(unfenced) }
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
    }

    @Test("files a wiping reinstall moved aside and a stopped daemon left are removed at the next start; volumes stay")
    func filesLeftAside() async throws {
        let dataDirectory = TestDaemon.makeDataDirectory()
        let volumes = dataDirectory + "/volumes"
        let aside = volumes + "/.t-left.wiped-\(UUID().uuidString)"
        let volume = volumes + "/t-kept"
        for folder in [aside + "/world", volume] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        try Data("old".utf8).write(to: URL(fileURLWithPath: aside + "/world/level.dat"))
        try await TestDaemon.with(dataDirectory: dataDirectory) { _ in
            let deadline = ContinuousClock.now + .seconds(30)
            while FileManager.default.fileExists(atPath: aside) {
                guard ContinuousClock.now < deadline else { throw TestFailure("the files left aside were never removed") }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(FileManager.default.fileExists(atPath: volume), "only what was moved aside goes")
        }
    }

    @Test("a restore cut short by the daemon's end is finished at the next start: the new files whole, said on the console")
    func restoreCutShort() async throws {
        let dataDirectory = TestDaemon.makeDataDirectory()
        let token = "restart-token-\(UUID().uuidString)"
        let specification = TestDaemon.echoSpecification()
        let id = specification.id
        try await TestDaemon.with(dataDirectory: dataDirectory, token: token, keepingContainers: true) { daemon in
            _ = try await daemon.deployRunning(specification)
            #expect(try await daemon.power(.stop, id).status == 200)
            _ = try await daemon.waitFor(id, "offline") { $0.powerState == .offline }
        }
        // As the last run left it: every old file aside, one new file in place, the rest still staged.
        let volume = dataDirectory + "/volumes/" + id
        let old = try FileManager.default.contentsOfDirectory(atPath: volume)
        try FileManager.default.createDirectory(atPath: volume + "/.berth-replaced-5", withIntermediateDirectories: true)
        for name in old { try FileManager.default.moveItem(atPath: volume + "/" + name, toPath: volume + "/.berth-replaced-5/" + name) }
        try FileManager.default.createDirectory(atPath: volume + "/.berth-restore-5/world", withIntermediateDirectories: true)
        try Data("restored level".utf8).write(to: URL(fileURLWithPath: volume + "/.berth-restore-5/world/level.dat"))
        try Data("motd=restored".utf8).write(to: URL(fileURLWithPath: volume + "/server.properties"))
        try await TestDaemon.with(dataDirectory: dataDirectory, token: token) { daemon in
            _ = try await daemon.waitFor(id, "reconciled") { $0.powerState == .offline }
            #expect(try FileManager.default.contentsOfDirectory(atPath: volume).sorted() == ["server.properties", "world"])
            #expect(try String(contentsOfFile: volume + "/world/level.dat", encoding: .utf8) == "restored level")
            let messages = try await daemon.withConsole(id, send: []) { $0.output.contains("it is finished now") }
            #expect(messages.output.contains("[Berth] a restore was cut short by the node's restart; it is finished now"))
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
    }

    @Test("a whole restore cut short between its renames is finished at the next start; one cut short before them is undone")
    func stagedVolumeCutShort() async throws {
        let dataDirectory = TestDaemon.makeDataDirectory()
        let token = "restart-token-\(UUID().uuidString)"
        let (swapping, unpacking) = (TestDaemon.echoSpecification(), TestDaemon.echoSpecification())
        try await TestDaemon.with(dataDirectory: dataDirectory, token: token, keepingContainers: true) { daemon in
            for specification in [swapping, unpacking] {
                _ = try await daemon.deployRunning(specification)
                #expect(try await daemon.power(.stop, specification.id).status == 200)
                _ = try await daemon.waitFor(specification.id, "offline") { $0.powerState == .offline }
            }
        }
        let volumes = dataDirectory + "/volumes"
        func write(_ text: String, to path: String) throws {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        }
        // As the last run left them. One restore had moved the old volume aside and not yet renamed the new files
        // in; the other was still unpacking beside a volume it had not touched.
        let aside = volumes + "/.\(swapping.id).wiped-\(UUID().uuidString)"
        try FileManager.default.moveItem(atPath: volumes + "/" + swapping.id, toPath: aside)
        try write("restored level", to: volumes + "/.\(swapping.id).restore-1/world/level.dat")
        let oldFiles = try FileManager.default.contentsOfDirectory(atPath: volumes + "/" + unpacking.id).sorted()
        try write("half", to: volumes + "/.\(unpacking.id).restore-2/world/level.dat")

        try await TestDaemon.with(dataDirectory: dataDirectory, token: token) { daemon in
            _ = try await daemon.waitFor(swapping.id, "reconciled") { $0.powerState == .offline }
            #expect(try FileManager.default.contentsOfDirectory(atPath: volumes + "/" + swapping.id) == ["world"])
            #expect(try String(contentsOfFile: volumes + "/\(swapping.id)/world/level.dat", encoding: .utf8) == "restored level")
            #expect(try FileManager.default.contentsOfDirectory(atPath: volumes + "/" + unpacking.id).sorted() == oldFiles)
            let deadline = ContinuousClock.now + .seconds(30)
            while try FileManager.default.contentsOfDirectory(atPath: volumes).contains(where: { $0.hasPrefix(".") }) {
                guard ContinuousClock.now < deadline else { throw TestFailure("the old files and the half-unpacked ones were never removed") }
                try await Task.sleep(for: .milliseconds(100))
            }
            let finished = try await daemon.withConsole(swapping.id, send: []) { $0.output.contains("it is finished now") }
            #expect(finished.output.contains("[Berth] a restore was cut short by the node's restart; it is finished now"))
            let undone = try await daemon.withConsole(unpacking.id, send: []) { $0.output.contains("were removed") }
            #expect(undone.output.contains("[Berth] files unpacked by a restore cut short by the node's restart were removed"))
            for specification in [swapping, unpacking] { try await daemon.request(.DELETE, "/api/instances/\(specification.id)") }
        }
    }

    @Test("an install cut short by a restart is marked FAILED with the reason")
    func interruptedInstall() async throws {
        let dataDirectory = TestDaemon.makeDataDirectory()
        let token = "restart-token-\(UUID().uuidString)"
        let specification = TestDaemon.echoSpecification(install: InstallScript(script: "sleep 30"))
        try await TestDaemon.with(dataDirectory: dataDirectory, token: token, keepingContainers: true) { daemon in
            _ = try await daemon.deploy(specification)
            // Wait until the installer container exists, so the restart really cuts an install short.
            let deadline = ContinuousClock.now + .seconds(30)
            while try await daemon.docker.listContainers(labels: [
                "\(ContainerBlueprint.roleLabel)=installer", "\(ContainerBlueprint.instanceLabel)=\(specification.id)",
            ]).isEmpty {
                guard ContinuousClock.now < deadline else { throw TestFailure("the installer never started") }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        try await TestDaemon.with(dataDirectory: dataDirectory, token: token) { daemon in
            let status = try await daemon.waitFor(specification.id, "FAILED") { $0.installState == .failed }
            #expect(status.reason?.contains("the daemon stopped while this instance was installing") == true)
            let deadline = ContinuousClock.now + .seconds(30)
            while try await !daemon.docker.listContainers(labels: [
                "\(ContainerBlueprint.roleLabel)=installer", "\(ContainerBlueprint.instanceLabel)=\(specification.id)",
            ]).isEmpty {
                guard ContinuousClock.now < deadline else { throw TestFailure("the cut-short installer was never removed") }
                try await Task.sleep(for: .milliseconds(100))
            }
            try await daemon.request(.DELETE, "/api/instances/\(specification.id)")
        }
    }

    @Test("a container removed behind the daemon's back is recreated at the next start")
    func missingContainerRecreated() async throws {
        let dataDirectory = TestDaemon.makeDataDirectory()
        let token = "restart-token-\(UUID().uuidString)"
        let specification = TestDaemon.echoSpecification()
        let id = specification.id
        let first = try await TestDaemon.with(dataDirectory: dataDirectory, token: token, keepingContainers: true) { daemon in
            _ = try await daemon.deploy(specification)
            let ready = try await daemon.waitFor(id, "READY") { $0.installState == .ready }
            let containerID = try #require(ready.containerID)
            try await daemon.docker.removeContainer(containerID, force: true)
            return containerID
        }
        try await TestDaemon.with(dataDirectory: dataDirectory, token: token) { daemon in
            let status = try await daemon.waitFor(id, "given a new container") { $0.containerID != nil && $0.containerID != first }
            #expect(status.installState == .ready)
            #expect(
                try await daemon.docker.inspectContainer(try #require(status.containerID)).configuration.labels?[ContainerBlueprint.instanceLabel]
                    == id
            )
            #expect(try await daemon.power(.start, id).status == 200)
            try await daemon.waitFor(id, "running") { $0.powerState == .running }
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
    }

    @Test("without a Docker engine the daemon keeps serving, says so, and fails installs with the reason")
    func withoutDocker() async throws {
        try await TestDaemon.with(dockerHost: .unixSocket(path: "/nonexistent/berth/docker.sock")) { daemon in
            let info = try await daemon.request(.GET, "/api/system").decode(NodeInfo.self)
            #expect(info.docker.reachable == false)
            #expect(info.docker.problem?.contains("apt-get install docker.io") == true)
            let specification = TestDaemon.echoSpecification()
            _ = try await daemon.deploy(specification)
            let failed = try await daemon.waitFor(specification.id, "FAILED") { $0.installState == .failed }
            #expect(failed.reason?.contains("no Docker engine answers at unix:///nonexistent/berth/docker.sock") == true)
            #expect(try await daemon.power(.start, specification.id).status == 409)
            // Deleting cannot be confirmed without Docker, so nothing is forgotten.
            let delete = try await daemon.request(.DELETE, "/api/instances/\(specification.id)")
            #expect(delete.status == 503)
            #expect(delete.error?.contains("could not be removed, so it was kept") == true)
            #expect(try await daemon.status(of: specification.id).installState == .failed)
        }
    }
}
