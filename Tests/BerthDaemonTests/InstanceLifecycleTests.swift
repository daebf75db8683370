import BerthProtocol
import BerthTestSupport
import DockerEngine
import Foundation
import Testing

@testable import BerthDaemon

@Suite("Instances as real containers", .timeLimit(.minutes(3)))
struct InstanceLifecycleTests {
    @Test("an echo instance installs, runs, answers on the console, stops by command, and can be killed")
    func deployRunStopKill() async throws {
        try await TestDaemon.with { daemon in
            let specification = TestDaemon.echoSpecification(
                install: InstallScript(script: "echo installing; echo \"$GREETING\" > /mnt/server/greeting.txt")
            )
            let id = specification.id
            let created = try await daemon.deploy(specification)
            #expect(created.installState == .installing)
            let ready = try await daemon.waitFor(id, "READY") { $0.installState == .ready }
            #expect(ready.powerState == .offline)
            #expect(ready.containerID != nil)
            let volume = daemon.configuration.volumesDirectory + "/\(id)"
            #expect(try String(contentsOfFile: volume + "/greeting.txt", encoding: .utf8) == "hello\n")

            let started = try await daemon.power(.start, id)
            #expect(started.status == 200)
            try await daemon.waitFor(id, "running") { $0.powerState == .running }

            // A command sent through the console socket comes back on it.
            let messages = try await daemon.withConsole(id, send: [ConsoleRequest(event: .command, data: "hello there")]) {
                $0.output.contains("echo:hello there")
            }
            #expect(messages.first?.event == .status)
            #expect(messages.output.contains("ready\n"), "the replay shows what the instance wrote before the viewer came")

            // The image's stop command ends it gracefully: its own exit code, no kill.
            #expect(try await daemon.power(.stop, id).status == 200)
            let stopped = try await daemon.waitFor(id, "offline") { $0.powerState == .offline }
            #expect(stopped.lastExitCode == 0)
            #expect(stopped.reason == nil)

            #expect(try await daemon.power(.start, id).status == 200)
            try await daemon.waitFor(id, "running") { $0.powerState == .running }
            #expect(try await daemon.power(.kill, id).status == 200)
            let killed = try await daemon.waitFor(id, "offline after kill") { $0.powerState == .offline }
            #expect(killed.lastExitCode == 137)
            #expect(try await daemon.request(.DELETE, "/api/instances/\(id)").status == 204)
        }
    }

    @Test("docker inspect shows the limits, the published ports, no privileges and the label")
    func containerIsConfined() async throws {
        try await TestDaemon.with { daemon in
            let port = TestPorts.next()
            let specification = TestDaemon.echoSpecification(ports: [port])
            let id = specification.id
            _ = try await daemon.deploy(specification)
            let ready = try await daemon.waitFor(id, "READY") { $0.installState == .ready }
            let inspection = try await daemon.docker.inspectContainer(try #require(ready.containerID))
            let host = inspection.hostConfiguration
            #expect(host.memory == 64 << 20)
            #expect(host.memorySwap == 64 << 20)
            #expect(host.nanoCpus == 500_000_000)
            #expect(host.pidsLimit == 64)
            #expect(host.privileged == false)
            #expect(host.capabilitiesToDrop == ["ALL"])
            #expect(host.capabilitiesToAdd == nil)
            #expect(host.securityOptions == ["no-new-privileges", InstanceSeccompProfile.option])
            #expect(host.readonlyRootFilesystem == true)
            #expect(host.networkMode == TenantNetwork.name, "instances join the fenced tenants network")
            #expect(
                host.publishedPorts == [
                    PublishedPort(containerPort: port, hostPort: port, hostAddress: "127.0.0.1", transport: .tcp),
                    PublishedPort(containerPort: port, hostPort: port, hostAddress: "127.0.0.1", transport: .udp),
                ]
            )
            #expect(inspection.configuration.labels?[ContainerBlueprint.instanceLabel] == id)
            #expect(
                inspection.configuration.user?.hasPrefix("\(daemon.configuration.instanceIDs.lowerBound):") == true,
                "the first instance's own user"
            )
            let environment = inspection.configuration.environment ?? []
            #expect(environment.contains("SERVER_PORT=\(port)"))
            #expect(environment.contains("PRIMARY_PORT=\(port)"))
            #expect(environment.contains("GREETING=hello"))
            #expect(environment.contains("MOTD=hi $(touch /tmp/owned)"))
            // That the value stays text when the startup line uses it: TenantContainerTests.variablesAreNotShellCode.
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
    }

    @Test("a crashing instance is restarted, then given up on with the reason")
    func crashLoop() async throws {
        try await TestDaemon.with { daemon in
            let specification = TestDaemon.echoSpecification(startup: "echo starting; exit 3", readyPattern: nil)
            let id = specification.id
            _ = try await daemon.deploy(specification)
            try await daemon.waitFor(id, "READY") { $0.installState == .ready }
            // Watched from the console, started from it: Berth's own lines tell what happens to the process.
            let messages = try await daemon.withConsole(id, send: [ConsoleRequest(event: .power, data: "start")]) { messages in
                messages.contains { $0.event == .notice && ($0.data ?? "").contains("not restarted") }
            }
            let notices = messages.filter { $0.event == .notice }.compactMap(\.data)
            #expect(notices.first == "server marked as starting", "\(notices)")
            #expect(notices.contains { $0.hasPrefix("server crashed (exit code 3); the crash policy restarts it in ") }, "\(notices)")
            #expect(
                notices.last?.hasPrefix("server crashed (exit code 3); not restarted: ") == true && notices.last?.contains("crashed 3 times") == true
            )
            #expect(!messages.output.contains("[Berth]") || messages.output.contains("[Berth] server marked as"), "in the replay, marked as Berth's")
            let gaveUp = try await daemon.waitFor(id, "given up on") {
                $0.powerState == .offline && ($0.reason ?? "").contains("crashed 3 times")
            }
            #expect(gaveUp.lastExitCode == 3)
            #expect(gaveUp.reason?.contains("exit code 3") == true)
            let restarts = try await DaemonMetricsTests.samples(daemon).value("berth_daemon_crash_restarts_total")
            #expect(restarts == 2, "two crashes restarted, the third given up on: \(String(describing: restarts))")
            let inspection = try await daemon.docker.inspectContainer(try #require(gaveUp.containerID))
            #expect(inspection.state.running == false)
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
    }

    @Test("a server killed at its memory limit says so on the console, with its exit code")
    func outOfMemory() async throws {
        try await TestDaemon.with { daemon in
            // awk doubles a string until the 64 MiB limit stops it.
            let specification = TestDaemon.echoSpecification(
                startup: #"echo ready; exec awk 'BEGIN { s = "x"; while (1) s = s s }'"#
            )
            let id = specification.id
            _ = try await daemon.deploy(specification)
            try await daemon.waitFor(id, "READY") { $0.installState == .ready }
            let messages = try await daemon.withConsole(id, send: [ConsoleRequest(event: .power, data: "start")]) { messages in
                messages.contains { $0.event == .notice && ($0.data ?? "").contains("server crashed") }
            }
            let crash = try #require(messages.last { $0.event == .notice }?.data)
            #expect(crash.hasPrefix("server crashed (exit code 137, out of memory: killed at its memory limit)"), "\(crash)")
            #expect(try await daemon.power(.stop, id).status == 200)
            try await daemon.waitFor(id, "offline") { $0.powerState == .offline }
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
    }

    @Test("a failing install script leaves the instance FAILED with its exit code and last lines")
    func failingInstall() async throws {
        try await TestDaemon.with { daemon in
            let specification = TestDaemon.echoSpecification(
                install: InstallScript(script: "echo fetching files; echo 'download refused' >&2; exit 5")
            )
            let id = specification.id
            _ = try await daemon.deploy(specification)
            let failed = try await daemon.waitFor(id, "FAILED") { $0.installState == .failed }
            #expect(failed.reason?.contains("exited with code 5") == true)
            #expect(failed.reason?.contains("download refused") == true)
            #expect(failed.containerID == nil)
            let start = try await daemon.power(.start, id)
            #expect(start.status == 409)
            #expect(start.error?.contains("install failed") == true)
            let leftovers = try await daemon.docker.listContainers(labels: ["\(ContainerBlueprint.instanceLabel)=\(id)"])
            #expect(leftovers.isEmpty, "the installer container is removed after it ran")
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
    }

    @Test("an image that is missing and cannot be pulled fails the install with a reason")
    func missingImage() async throws {
        try await TestDaemon.with { daemon in
            let specification = TestDaemon.echoSpecification(dockerImage: "127.0.0.1:1/berth-test/absent:1")
            let failed = try await daemon.waitFor(try await daemon.deploy(specification).id, "FAILED") { $0.installState == .failed }
            #expect(failed.reason?.contains("127.0.0.1:1/berth-test/absent:1 is not on this node and could not be pulled") == true)
            try await daemon.request(.DELETE, "/api/instances/\(specification.id)")
        }
    }

    @Test("a host port already in use fails the install and names the port")
    func portInUse() async throws {
        try await TestDaemon.with { daemon in
            let port = TestPorts.next()
            let first = TestDaemon.echoSpecification(ports: [port])
            try await daemon.deployRunning(first)

            let second = TestDaemon.echoSpecification(ports: [port])
            _ = try await daemon.deploy(second)
            let failed = try await daemon.waitFor(second.id, "FAILED") { $0.installState == .failed }
            #expect(failed.reason?.contains("port \(port) is already in use") == true)
            try await daemon.request(.DELETE, "/api/instances/\(first.id)")
            try await daemon.request(.DELETE, "/api/instances/\(second.id)")
        }
    }

    @Test("deleting removes the container and the volume")
    func deleteRemovesEverything() async throws {
        try await TestDaemon.with { daemon in
            let specification = TestDaemon.echoSpecification(
                install: InstallScript(script: "mkdir -p /mnt/server/world && echo x > /mnt/server/world/level.dat")
            )
            let id = specification.id
            let running = try await daemon.deployRunning(specification)
            let volume = daemon.configuration.volumesDirectory + "/\(id)"
            #expect(FileManager.default.fileExists(atPath: volume + "/world/level.dat"))

            #expect(try await daemon.request(.DELETE, "/api/instances/\(id)").status == 204)
            #expect(FileManager.default.fileExists(atPath: volume) == false)
            await #expect(throws: DockerEngineError.self) {
                _ = try await daemon.docker.inspectContainer(try #require(running.containerID))
            }
            #expect(try await daemon.request(.GET, "/api/instances/\(id)").status == 404)
            #expect(try await daemon.request(.DELETE, "/api/instances/\(id)").status == 404)
        }
    }

    @Test("a suspended instance is stopped and cannot start until unsuspended")
    func suspension() async throws {
        try await TestDaemon.with { daemon in
            let specification = TestDaemon.echoSpecification()
            let id = specification.id
            try await daemon.deployRunning(specification)

            let suspended = try await daemon.request(.POST, "/api/instances/\(id)/suspension", body: SuspensionRequest(suspended: true))
            #expect(suspended.status == 200)
            #expect(try suspended.decode(InstanceStatus.self).suspended)
            try await daemon.waitFor(id, "offline") { $0.powerState == .offline }
            let refused = try await daemon.power(.start, id)
            #expect(refused.status == 409)
            #expect(refused.error == "the instance is suspended")
            await #expect(throws: (any Error).self, "a suspended instance's console cannot be opened, even with a valid token") {
                _ = try await daemon.withConsole(id) { _ in true }
            }

            #expect(try await daemon.request(.POST, "/api/instances/\(id)/suspension", body: SuspensionRequest(suspended: false)).status == 200)
            #expect(try await daemon.power(.start, id).status == 200)
            try await daemon.waitFor(id, "running") { $0.powerState == .running }
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
    }

    @Test("limits change on the live container")
    func updateLimits() async throws {
        try await TestDaemon.with { daemon in
            let specification = TestDaemon.echoSpecification()
            let id = specification.id
            _ = try await daemon.deploy(specification)
            let ready = try await daemon.waitFor(id, "READY") { $0.installState == .ready }
            let answer = try await daemon.request(
                .PUT,
                "/api/instances/\(id)/limits",
                body: ResourceLimits(memoryMiB: 96, cpuCores: 1.25, processes: 100)
            )
            #expect(answer.status == 200)
            let host = try await daemon.docker.inspectContainer(try #require(ready.containerID)).hostConfiguration
            #expect(host.memory == 96 << 20)
            #expect(host.nanoCpus == 1_250_000_000)
            #expect(host.pidsLimit == 100)
            let bad = try await daemon.request(.PUT, "/api/instances/\(id)/limits", json: #"{"memoryMiB": 0, "cpuCores": 1, "processes": 10}"#)
            #expect(bad.status == 400)
            #expect(bad.error == "memory must be at least 6 MiB")
            // More cores than the machine has: Docker itself refuses, and the old limits stay, in Docker and
            // in what the node keeps for the next container.
            let refused = try await daemon.request(.PUT, "/api/instances/\(id)/limits", body: ResourceLimits(memoryMiB: 200, cpuCores: 1000))
            #expect(refused.status == 503, "the engine's refusal")
            #expect(refused.error?.hasPrefix("Docker refused the new limits, so the old ones stay") == true, "\(refused.error ?? "")")
            #expect(try await daemon.docker.inspectContainer(try #require(ready.containerID)).hostConfiguration.memory == 96 << 20)
            let state = try String(contentsOfFile: daemon.configuration.dataDirectory + "/daemon-state.json", encoding: .utf8)
            #expect(state.contains(#""cpuCores":1.25"#) && !state.contains(#""cpuCores":1000"#), "the kept record still has the old limits")
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
    }

    @Test("a new specification is saved and waits for the next start, and an older one that arrives late is not taken")
    func newSpecification() async throws {
        try await TestDaemon.with { daemon in
            var specification = TestDaemon.echoSpecification()
            let id = specification.id
            _ = try await daemon.deploy(specification)
            let ready = try await daemon.waitFor(id, "READY") { $0.installState == .ready }
            let first = try #require(ready.containerID)

            specification.variables["MOTD"] = "newer"
            specification.revision = 2
            #expect(try await daemon.request(.PUT, "/api/instances/\(id)/specification", body: specification).status == 200)
            var stale = specification
            stale.variables["MOTD"] = "older"
            stale.revision = 1
            #expect(try await daemon.request(.PUT, "/api/instances/\(id)/specification", body: stale).status == 200)
            var foreign = specification
            foreign.id = "someone-else"
            let refused = try await daemon.request(.PUT, "/api/instances/\(id)/specification", body: foreign)
            #expect(refused.status == 400 && refused.error == "the specification's id someone-else is not the instance's")
            let state = try String(contentsOfFile: daemon.configuration.dataDirectory + "/daemon-state.json", encoding: .utf8)
            #expect(state.contains(#""containerOutdated":true"#) && state.contains("newer") && !state.contains("older"))
            #expect(try await daemon.docker.inspectContainer(first).id == first, "nothing happens to the container before a start")

            #expect(try await daemon.power(.start, id).status == 200)
            let running = try await daemon.waitFor(id, "running") { $0.powerState == .running }
            let renewed = try await daemon.docker.inspectContainer(try #require(running.containerID))
            #expect(renewed.id != first && renewed.configuration.environment?.contains("MOTD=newer") == true)
            let saved = try String(contentsOfFile: daemon.configuration.dataDirectory + "/daemon-state.json", encoding: .utf8)
            #expect(!saved.contains("containerOutdated"), "the new container is up to date")
            // New limits alone reach the running container and need no new one.
            specification.limits.memoryMiB = 80
            specification.revision = 3
            #expect(try await daemon.request(.PUT, "/api/instances/\(id)/specification", body: specification).status == 200)
            #expect(try await daemon.docker.inspectContainer(renewed.id).hostConfiguration.memory == 80 << 20)
            let limitsOnly = try String(contentsOfFile: daemon.configuration.dataDirectory + "/daemon-state.json", encoding: .utf8)
            #expect(!limitsOnly.contains("containerOutdated") && limitsOnly.contains(#""revision":3"#))
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
    }
}
