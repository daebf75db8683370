import BerthHTTP
import BerthProtocol
import BerthTestSupport
import Foundation
import Testing

@testable import BerthDaemon

@Suite("The daemon's API refuses what it must", .timeLimit(.minutes(2)))
struct DaemonAPITests {
    @Test("a wrong or missing node token is 401 with a JSON error")
    func badTokens() async throws {
        try await InProcessDaemon.with { daemon in
            for token: String? in [nil, "wrong", daemon.token + "x", ""] {
                let answer = try await daemon.request(.GET, "/api/instances", token: .some(token))
                #expect(answer.status == 401)
                #expect(answer.error == "missing or invalid node token")
            }
            #expect(try await daemon.request(.GET, "/api/instances").status == 200)
        }
    }

    @Test("unknown instances are 404; malformed bodies are 400 naming the problem")
    func unknownAndMalformed() async throws {
        try await InProcessDaemon.with { daemon in
            let missing = try await daemon.request(.GET, "/api/instances/nope")
            #expect(missing.status == 404)
            #expect(missing.error == "no instance nope on this node")
            #expect(try await daemon.power(.start, "nope").status == 404)
            #expect(try await daemon.request(.POST, "/api/instances/nope/command", body: CommandRequest(command: "x")).status == 404)

            let notJSON = try await daemon.request(.POST, "/api/instances", json: "{not json")
            #expect(notJSON.status == 400)
            #expect(notJSON.error == "the body is not valid JSON")
            let empty = try await daemon.request(.POST, "/api/instances", json: "")
            #expect(empty.status == 400)
            let missingField = try await daemon.request(.POST, "/api/instances", json: #"{"id": "a"}"#)
            #expect(missingField.status == 400)
            #expect(missingField.error?.hasPrefix("field ") == true)
            let badPower = try await daemon.request(.POST, "/api/instances/nope/power", json: #"{"action": "explode"}"#)
            #expect(badPower.status == 400)
            #expect(badPower.error == "field action has an invalid value")

            var invalid = TestDaemon.echoSpecification()
            invalid.id = "../../etc"
            let badID = try await daemon.request(.POST, "/api/instances", body: invalid)
            #expect(badID.status == 400)
            #expect(badID.error?.contains("id must be") == true)
            invalid = TestDaemon.echoSpecification()
            invalid.limits.cpuCores = 0
            #expect(try await daemon.request(.POST, "/api/instances", body: invalid).error == "cpu must be at least 0.01 and at most 1024 cores")
            invalid = TestDaemon.echoSpecification()
            invalid.limits.memoryMiB = 1 << 44
            #expect(
                try await daemon.request(.POST, "/api/instances", body: invalid).error == "memory must be at most 1 PiB",
                "a size that would wrap to 'no limit'"
            )
            invalid = TestDaemon.echoSpecification()
            invalid.image.capabilities = ["SYS_ADMIN"]
            #expect(try await daemon.request(.POST, "/api/instances", body: invalid).error == "capability SYS_ADMIN cannot be granted to an instance")

            let huge = String(repeating: "x", count: 2 << 20)
            #expect(try await daemon.request(.POST, "/api/instances", json: "\"\(huge)\"").status == 413)
            #expect(try await daemon.request(.GET, "/api/nothing-here").status == 404)
            #expect(try await daemon.request(.GET, "/api/instances").decode([InstanceStatus].self).isEmpty, "nothing was created by the bad requests")
        }
    }

    @Test("an id already in use is 409; a command to an instance that is not running is 409")
    func conflicts() async throws {
        try await TestDaemon.with { daemon in
            let specification = TestDaemon.echoSpecification()
            _ = try await daemon.deploy(specification)
            let again = try await daemon.request(.POST, "/api/instances", body: specification)
            #expect(again.status == 409)
            try await daemon.waitFor(specification.id, "READY") { $0.installState == .ready }
            let command = try await daemon.request(.POST, "/api/instances/\(specification.id)/command", body: CommandRequest(command: "hi"))
            #expect(command.status == 409)
            #expect(command.error == "the server is not running, so the command was not sent; start it first")
            try await daemon.request(.DELETE, "/api/instances/\(specification.id)")
        }
    }

    @Test("the console refuses tokens that are forged, expired, for another instance or another purpose")
    func consoleTokens() async throws {
        try await TestDaemon.with { daemon in
            let specification = TestDaemon.echoSpecification()
            _ = try await daemon.deploy(specification)
            let id = specification.id
            let forger = await ConsoleTokens(nodeToken: "not-the-node-token")
            let forged = try await forger.sign(ConsoleTokenClaims(instanceID: id, subject: "x", expires: Int64(Date().timeIntervalSince1970) + 60))
            let tokens = [
                forged,
                try await daemon.consoleToken(for: id, expiresIn: -5),
                try await daemon.consoleToken(for: "other-instance"),
                try await daemon.consoleToken(for: id, purpose: "file-download"),
                "garbage",
            ]
            for token in tokens {
                await #expect(throws: (any Error).self, "the console accepted a bad token") {
                    _ = try await daemon.withConsole(id, token: token) { _ in true }
                }
            }
            let good = try await daemon.withConsole(id) { $0.contains { $0.event == .status } }
            #expect(good.first == ConsoleMessage(event: .status, data: "offline"))
            // A plain GET is not a WebSocket handshake: it says so.
            let plain = try await daemon.request(.GET, "/api/instances/\(id)/console", token: .some(nil))
            #expect(plain.status == 426)
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
    }

    @Test("the node reports its version, Docker and capacity")
    func system() async throws {
        try await TestDaemon.with { daemon in
            let info = try await daemon.request(.GET, "/api/system").decode(NodeInfo.self)
            #expect(info.version == BerthVersion.current)
            #expect(info.docker.reachable)
            #expect(info.docker.version?.isEmpty == false)
            #expect(info.cpuCores > 0)
            #expect(info.memoryTotalBytes > info.memoryAvailableBytes)
            #expect(info.diskTotalBytes > 0)
        }
    }
}
