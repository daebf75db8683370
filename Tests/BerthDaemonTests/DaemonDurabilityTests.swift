import BerthProtocol
import BerthTestSupport
import DockerEngine
import Foundation
import Testing

@testable import BerthDaemon

/// What the daemon keeps when its disk is full (T55): a create it cannot save is not accepted, and a
/// deletion is finished by the next run rather than undone.
@Suite("Daemon durability", .serialized, .timeLimit(.minutes(3)))
struct DaemonDurabilityTests {
    @Test("on a full disk a create is refused and leaves no instance; with room again the same id is accepted")
    func createOnAFullDisk() async throws {
        // A real full disk: the daemon's data directory on a 2 MiB tmpfs, filled to the last block.
        let dataDirectory = TestDaemon.makeDataDirectory()
        try HostShell.run("mount -t tmpfs -o size=2m berth-test-full \(dataDirectory)")
        defer {
            _ = try? HostShell.run("umount \(dataDirectory)")
            try? FileManager.default.removeItem(atPath: dataDirectory)
        }
        try TestNode.prepareDataDirectory(dataDirectory)
        try await TestDaemon.with(dataDirectory: dataDirectory) { daemon in
            _ = try? HostShell.run("dd if=/dev/zero of=\(dataDirectory)/filler bs=4k 2>/dev/null")
            let specification = TestDaemon.echoSpecification()
            let refused = try await daemon.request(.POST, "/api/instances", body: specification)
            #expect(refused.status == 500)
            #expect(refused.error?.contains("state file") == true, "\(refused.error ?? "")")
            // Before, the instance lived on in memory: listed here, and "already exists" below.
            #expect(try await daemon.request(.GET, "/api/instances").decode([InstanceStatus].self).isEmpty)

            try FileManager.default.removeItem(atPath: dataDirectory + "/filler")
            #expect(try await daemon.request(.POST, "/api/instances", body: specification).status == 202)
            try await daemon.waitFor(specification.id, "READY") { $0.installState == .ready }
            try await daemon.request(.DELETE, "/api/instances/\(specification.id)")
        }
    }

    @Test("a deletion whose last save failed is finished by the next run: the instance does not come back")
    func interruptedDeletionIsFinished() async throws {
        let dataDirectory = TestDaemon.makeDataDirectory()
        let token = "durability-token-\(UUID().uuidString)"
        let specification = TestDaemon.echoSpecification()
        let id = specification.id
        let containerID = try await TestDaemon.with(dataDirectory: dataDirectory, token: token, keepingContainers: true) { daemon in
            try #require(try await daemon.deployRunning(specification).containerID)
        }
        // The state file as a deletion leaves it when its mark was saved and its last save was not (a disk
        // that fills at that moment cannot be arranged on cue, so the file is written as the fault leaves it).
        let stateFile = StateFile(dataDirectory: dataDirectory)
        var records = try stateFile.load()
        #expect(records.count == 1)
        records[0].lifecycle.activity = .deleting
        try stateFile.save(records)
        #expect(try String(contentsOfFile: stateFile.path, encoding: .utf8).contains(#""deleting":true"#))

        try await TestDaemon.with(dataDirectory: dataDirectory, token: token) { daemon in
            var remaining = try await daemon.request(.GET, "/api/instances").decode([InstanceStatus].self)
            for _ in 0..<100 where !remaining.isEmpty {
                try await Task.sleep(for: .milliseconds(100))
                remaining = try await daemon.request(.GET, "/api/instances").decode([InstanceStatus].self)
            }
            #expect(remaining.isEmpty, "the deleted instance did not come back")
            await #expect(throws: DockerEngineError.self) { try await daemon.docker.inspectContainer(containerID) }
            #expect(!FileManager.default.fileExists(atPath: daemon.configuration.volumesDirectory + "/\(id)"))
            #expect(try StateFile(dataDirectory: dataDirectory).load().isEmpty)
        }
    }

    @Test("an attach connection that drops while the container runs is attached again, and the console keeps working")
    func droppedAttachIsReattached() async throws {
        // The engine itself keeps its attach connections; a relay between the daemon and the engine's
        // socket cuts the one that carries the attachment, as a restarting API or a proxy would.
        guard case .unixSocket(let path) = DockerHost.fromEnvironment(ProcessInfo.processInfo.environment) else {
            throw TestFailure("the tests' Docker engine is not on a unix socket")
        }
        let relay = try TCPRecorder()
        defer { relay.stop() }
        relay.forward(toUnixSocket: path)
        try await TestDaemon.with(dockerHost: .tcp(host: "127.0.0.1", port: relay.port)) { daemon in
            let specification = TestDaemon.echoSpecification()
            try await daemon.deployRunning(specification)
            // Someone watches as the connection drops (their console streams stats through the same engine): they
            // are told, and the session reattaches although a viewer never left.
            let (watching, signalWatching) = AsyncStream<Void>.makeStream()
            async let watched = daemon.withConsole(specification.id) { messages in
                if messages.contains(where: { $0.event == .stats }) { signalWatching.finish() }
                return messages.contains { $0.event == .notice && $0.data == "the connection to the container dropped; reattached" }
            }
            for await _ in watching {}
            #expect(relay.cutConnections(carrying: "/attach") >= 1)
            #expect(try await watched.contains { $0.event == .notice }, "the viewer was told")
            // Before, the session waited for the container to exit, and nothing sent reached it again.
            // Berth's own line: a notice to those watching, in the replay for those who come later.
            try await daemon.withConsole(specification.id) { messages in
                messages.output.contains("[Berth] the connection to the container dropped; reattached")
                    || messages.contains { $0.event == .notice && $0.data == "the connection to the container dropped; reattached" }
            }
            let messages = try await daemon.withConsole(specification.id, send: [ConsoleRequest(event: .command, data: "after the cut")]) {
                $0.output.contains("echo:after the cut")
            }
            #expect(messages.output.contains("echo:after the cut"))
            #expect(try await daemon.status(of: specification.id).powerState == .running)
            try await daemon.request(.DELETE, "/api/instances/\(specification.id)")
        }
    }

    @Test("a daemon that starts while Docker is away matches its instances once Docker answers: a running one gets its console back")
    func reconciledWhenDockerReturns() async throws {
        guard case .unixSocket(let path) = DockerHost.fromEnvironment(ProcessInfo.processInfo.environment) else {
            throw TestFailure("the tests' Docker engine is not on a unix socket")
        }
        let dataDirectory = TestDaemon.makeDataDirectory()
        let token = "return-token-\(UUID().uuidString)"
        let specification = TestDaemon.echoSpecification()
        let id = specification.id
        let containerID = try await TestDaemon.with(dataDirectory: dataDirectory, token: token, keepingContainers: true) { daemon in
            try #require(try await daemon.deployRunning(specification).containerID)
        }
        // A relay with nowhere to go yet: the engine is away when the daemon starts.
        let relay = try TCPRecorder()
        defer { relay.stop() }
        try await TestDaemon.with(dataDirectory: dataDirectory, token: token, dockerHost: .tcp(host: "127.0.0.1", port: relay.port)) { daemon in
            let info = try await daemon.request(.GET, "/api/system").decode(NodeInfo.self)
            #expect(info.docker.reachable == false)
            // Refused as unavailable only until the daemon finds that Docker does not answer.
            let deadline = ContinuousClock.now + .seconds(30)
            var leftAsSaved = try? await daemon.status(of: id)
            while leftAsSaved == nil, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                leftAsSaved = try? await daemon.status(of: id)
            }
            #expect(try #require(leftAsSaved).powerState != .running, "without Docker nothing says it runs")

            relay.forward(toUnixSocket: path)
            let status = try await daemon.waitFor(id, "running again") { $0.powerState == .running }
            #expect(status.containerID == containerID, "the container that ran all along, not a new one")
            let messages = try await daemon.withConsole(id, send: [ConsoleRequest(event: .command, data: "back again")]) {
                $0.output.contains("echo:back again")
            }
            #expect(messages.output.contains("echo:back again"))
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
    }
}
