import BerthProtocol
import BerthTestSupport
import Foundation
import Testing

@testable import BerthDaemon

@Suite("Stopping, restarting and reinstalling", .timeLimit(.minutes(2)))
struct PowerTests {
    @Test("an instance that ignores its stop command is killed after the stop timeout")
    func stopTimeout() async throws {
        try await TestDaemon.with { daemon in
            var specification = TestDaemon.echoSpecification(
                startup: #"trap '' TERM; echo ready; while read line; do echo "ignored:$line"; done"#
            )
            specification.image.stopTimeoutSeconds = 1
            let id = specification.id
            try await daemon.deployRunning(specification)
            let stopping = try await daemon.power(.stop, id).decode(InstanceStatus.self)
            #expect(stopping.powerState == .stopping)
            let stopped = try await daemon.waitFor(id, "offline") { $0.powerState == .offline }
            #expect(stopped.lastExitCode == 137)
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
    }

    @Test("a signal stop sends the image's signal; restart brings it back")
    func signalStopAndRestart() async throws {
        try await TestDaemon.with { daemon in
            let specification = TestDaemon.echoSpecification(
                startup: #"trap 'echo got-term; exit 0' TERM; echo ready; while true; do sleep 0.1; done"#,
                stop: .signal("SIGTERM")
            )
            let id = specification.id
            try await daemon.deployRunning(specification)
            #expect(try await daemon.power(.restart, id).status == 200)
            try await daemon.waitFor(id, "stopped and running again") { $0.powerState == .running && $0.lastExitCode == 0 }
            let console = try await daemon.withConsole(id) { $0.output.contains("got-term") }
            #expect(console.output.contains("got-term"))
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
    }

    @Test("reinstall runs the script again and is refused while running")
    func reinstall() async throws {
        try await TestDaemon.with { daemon in
            let specification = TestDaemon.echoSpecification(
                install: InstallScript(script: "echo run >> /mnt/server/installs.log")
            )
            let id = specification.id
            try await daemon.deployRunning(specification)
            let refused = try await daemon.request(.POST, "/api/instances/\(id)/reinstall")
            #expect(refused.status == 409)
            #expect(try await daemon.power(.kill, id).status == 200)
            try await daemon.waitFor(id, "offline") { $0.powerState == .offline }
            #expect(try await daemon.request(.POST, "/api/instances/\(id)/reinstall").status == 202)
            let ready = try await daemon.waitFor(id, "READY again") { $0.installState == .ready }
            #expect(ready.containerID != nil)
            let log = try String(contentsOfFile: daemon.configuration.volumesDirectory + "/\(id)/installs.log", encoding: .utf8)
            #expect(log == "run\nrun\n")
            #expect(try await daemon.power(.start, id).status == 200)
            try await daemon.waitFor(id, "running") { $0.powerState == .running }
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
    }
}
