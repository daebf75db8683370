import BerthProtocol
import BerthTestSupport
import Foundation
import Testing

@testable import BerthDaemon

@Suite("The console socket", .timeLimit(.minutes(2)))
struct ConsoleSocketTests {
    @Test("power actions and stats travel on the console socket; refused actions come back as errors")
    func powerAndStats() async throws {
        try await TestDaemon.with { daemon in
            let specification = TestDaemon.echoSpecification()
            let id = specification.id
            _ = try await daemon.deploy(specification)
            try await daemon.waitFor(id, "READY") { $0.installState == .ready }
            let messages = try await daemon.withConsole(id, send: [ConsoleRequest(event: .power, data: "start")]) { messages in
                messages.contains { $0.event == .stats } && messages.contains { $0 == ConsoleMessage(event: .status, data: "running") }
            }
            #expect(messages.first == ConsoleMessage(event: .status, data: "offline"))
            #expect(messages.contains(ConsoleMessage(event: .status, data: "starting")))
            let stats = try #require(messages.first { $0.event == .stats }?.stats)
            #expect(stats.memoryLimitBytes == 64 << 20)
            #expect(stats.memoryBytes > 0)

            let refused = try await daemon.withConsole(
                id,
                send: [
                    ConsoleRequest(event: .power, data: "start"),
                    ConsoleRequest(event: .power, data: "explode"),
                    ConsoleRequest(event: .command, data: "two\nlines"),
                ]
            ) { $0.filter { $0.event == .error }.count == 3 }
            #expect(
                refused.filter { $0.event == .error }.compactMap(\.data) == [
                    "the instance is already running",
                    "power actions are start, stop, restart, kill",
                    "a command is one line",
                ]
            )
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
    }

    @Test("deleting an instance closes its console sockets")
    func deleteClosesSockets() async throws {
        try await TestDaemon.with { daemon in
            let specification = TestDaemon.echoSpecification()
            let id = specification.id
            _ = try await daemon.deploy(specification)
            try await daemon.waitFor(id, "READY") { $0.installState == .ready }
            async let viewing = daemon.withConsole(id) { _ in false }
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await daemon.request(.DELETE, "/api/instances/\(id)").status == 204)
            // The socket ends by itself; `until` never says stop.
            let messages = try await viewing
            #expect(messages.first?.event == .status)
        }
    }
}
