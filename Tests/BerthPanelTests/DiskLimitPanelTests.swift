import BerthProtocol
import BerthTestSupport
import Foundation
import Testing

@testable import BerthPanel

/// A deploy's disk limit through the panel, on a real node: enforced as the files grow, shown live, and
/// changed only while the instance is stopped.
@Suite("Disk limits through the panel", .timeLimit(.minutes(4)))
struct DiskLimitPanelTests {
    @Test("a deploy's disk is the node's limit: an upload past it is a 507, the live state shows the instance full, and a resize waits for a stop")
    func limitThroughThePanel() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            try await InstanceTests.importEchoImage(panel)
            let owner = try await panel.createUser("owner")
            let fields = InstanceTests.deployFields(node: node.id, user: owner, port: TestPorts.next(), disk: "32M")
            let deployed = try await panel.request(.POST, "/api/instances/deploy", fields)
            let id = try #require(deployed.object["Id"] as? String, "\(deployed.text)")
            try await panel.waitFor(id, "READY") { $0["InternalState"] as? String == "READY" }

            let upload = try await panel.request(
                .PUT,
                FileAPITests.files(id, "/contents", path: "world.zip"),
                bytes: Data(repeating: 1, count: 40 << 20)
            )
            #expect(upload.status == 507 && upload.error?.contains("disk is full") == true, "\(upload.status) \(upload.text)")
            let volume = panel.dataDirectory + "/node/volumes/" + id
            #expect(try FileManager.default.contentsOfDirectory(atPath: volume) == ["installed.txt"], "no part of the upload is left")
            let fill = try await panel.request(
                .PUT,
                FileAPITests.files(id, "/contents", path: "world.zip"),
                bytes: Data(repeating: 1, count: 31 << 20)
            )
            #expect(fill.status == 201, "\(fill.text)")
            // The rest in small pieces, until the disk takes no more.
            var pieces = 0
            while try await panel.request(
                .PUT,
                FileAPITests.files(id, "/contents", path: "piece-\(pieces)"),
                bytes: Data(repeating: 1, count: 256 << 10)
            ).status == 201 {
                pieces += 1
                guard pieces < 64 else { throw TestFailure("the disk never filled") }
            }

            let browser = panel.browser()
            #expect(try await browser.signIn("owner", WebSessionTests.password).status == 303)
            let state = try #require(try await LiveStateTests.states(browser, "?id=\(id)")[id])
            let used = try #require(state["diskBytes"] as? Int, "\(state)")
            #expect(state["diskLimitBytes"] as? Int == 32 << 20)
            #expect(used >= 31 << 20 && state["diskFull"] as? Bool == true, "shown full: \(state)")

            let whileRunning = try await panel.request(.PATCH, "/api/v1/instances/\(id)", ["disk": "64M"])
            #expect(whileRunning.status != 200 && whileRunning.error?.contains("stop the instance first") == true, "\(whileRunning.text)")
            #expect(try await panel.request(.GET, "/api/instances").array.first?["Disk"] as? Int == 32, "the refused change is not kept")

            #expect(try await panel.request(.POST, "/api/v1/instances/\(id)/power", ["action": "stop"]).status == 202)
            try await panel.waitFor(id, "offline") { $0["PowerState"] as? String == "offline" }
            let grown = try await panel.request(.PATCH, "/api/v1/instances/\(id)", ["disk": "64M"])
            #expect(grown.status == 200, "\(grown.text)")
            #expect(
                try await panel.request(.PUT, FileAPITests.files(id, "/contents", path: "more.zip"), bytes: Data(repeating: 1, count: 4 << 20)).status
                    == 201
            )
            let grownState = try #require(try await LiveStateTests.states(browser, "?id=\(id)")[id])
            #expect(grownState["diskLimitBytes"] as? Int == 64 << 20 && grownState["diskFull"] as? Bool == false, "\(grownState)")
        }
    }

    @Test("a node's default disk limit goes to deploys that name none, and the node enforces it; an admin sets and clears it")
    func nodeDefault() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            try await InstanceTests.importEchoImage(panel)
            let owner = try await panel.createUser("owner")
            let wrong = try await panel.request(.PATCH, "/api/v1/nodes/\(node.id)", ["defaultDisk": "lots"])
            #expect(wrong.status == 400 && wrong.error?.contains("defaultDisk") == true, "\(wrong.text)")
            let set = try await panel.request(.PATCH, "/api/v1/nodes/\(node.id)", ["defaultDisk": "24M"])
            #expect(set.status == 200 && set.object["defaultDisk"] as? Int == 24, "\(set.text)")

            var fields = InstanceTests.deployFields(node: node.id, user: owner, port: TestPorts.next())
            let deployed = try await panel.request(.POST, "/api/instances/deploy", fields)
            let id = try #require(deployed.object["Id"] as? String, "\(deployed.text)")
            try await panel.waitFor(id, "READY") { $0["InternalState"] as? String == "READY" }
            #expect(try await panel.request(.POST, "/api/getInstance", ["id": id]).object["Disk"] as? Int == 24)
            #expect(FileManager.default.fileExists(atPath: panel.dataDirectory + "/node/disks/\(id).ext4"), "the node made the instance a disk")

            let port = TestPorts.next()
            fields["disk"] = "48M"
            fields["ports"] = "\(port):\(port)"
            fields["primary"] = "\(port)"
            let named = try await panel.request(.POST, "/api/instances/deploy", fields)
            let namedID = try #require(named.object["Id"] as? String, "\(named.text)")
            #expect(try await panel.request(.POST, "/api/getInstance", ["id": namedID]).object["Disk"] as? Int == 48, "a deploy's own disk wins")

            let cleared = try await panel.request(.PATCH, "/api/v1/nodes/\(node.id)", ["defaultDisk": ""])
            #expect(cleared.status == 200 && cleared.object["defaultDisk"] == nil, "\(cleared.text)")
        }
    }
}
