import BerthTestSupport
import Foundation
import Testing

@testable import BerthPanel
@testable import BerthWeb

/// The lists' and the instance page's live state: one stream for a page, with what its user may see, that
/// follows a suspension and a deletion made elsewhere; resource use comes from the node.
@Suite("Live state of instances", .timeLimit(.minutes(3)))
struct LiveStateTests {
    /// The instances of one `/live/instances.json` answer, by id, with their state.
    static func states(_ browser: WebClient, _ query: String = "") async throws -> [String: [String: Any]] {
        let page = try await browser.get("/live/instances.json\(query)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(page.text.utf8)) as? [String: Any], "\(page.status) \(page.text)")
        let list = try #require(object["instances"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: list.compactMap { item in (item["id"] as? String).map { ($0, item) } })
    }

    @Test("each user's stream holds what they may see; it follows a suspension and a deletion, with CPU and memory from the node")
    func followsStateAndUse() async throws {
        try await TestPanel.with(withNode: true) { panel in
            try await InstanceOwnerSettingsTests.importTunableImage(into: panel.panel)
            let alice = try await panel.createUser("alice")
            _ = try await panel.createUser("mallory")
            let id = try await InstanceOwnerSettingsTests.deployTunable(on: panel, owner: alice)
            try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }

            let owner = panel.browser()
            #expect(try await owner.signIn("alice", WebSessionTests.password).status == 303)
            let stranger = panel.browser()
            #expect(try await stranger.signIn("mallory", WebSessionTests.password).status == 303)
            #expect(try await Self.states(stranger).isEmpty, "another user's instance is not in the stream")
            #expect(try await Self.states(stranger, "?id=\(id)").isEmpty, "nor asked for by id")
            #expect(try await stranger.get("/live/instances.json?scope=all").status == 403)

            let mine = try #require(try await Self.states(owner)[id])
            #expect(mine["state"] as? String == "running")
            let memory = try #require(mine["memoryBytes"] as? Int, "the node's sample: \(mine)")
            #expect(memory > 0 && (mine["memoryLimitBytes"] as? Int ?? 0) >= memory)
            #expect(mine["cpuPercent"] is Double || mine["cpuPercent"] is Int)
            let started = try #require(mine["startedAt"] as? Double, "when its container started, for the uptime: \(mine)")
            #expect(abs(Date().timeIntervalSince1970 - started) < 600, "started moments ago, not at 1970: \(started)")

            // The stream itself: server-sent events, the first with the state.
            let cookie = try #require(owner.sessionCookie)
            let stream = try RawHTTP(
                port: panel.port,
                head: "GET /live/instances?id=\(id) HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: berth_session=\(cookie)"
            )
            defer { stream.shutDown() }
            let head = try stream.read(through: "\r\n\r\n")
            #expect(head.hasPrefix("HTTP/1.1 200") && head.lowercased().contains("content-type: text/event-stream"), "\(head)")
            #expect(try stream.read(through: "\n\n").contains("retry: 3000"), "the browser reconnects after 3 s")
            let running = try stream.read(through: "\n\n")
            #expect(running.contains("event: states") && running.contains(#""state":"running""#), "\(running)")

            _ = try await panel.panel.instances.setSuspended(true, id)
            var suspended = ""
            while !suspended.contains(#""state":"suspended""#) { suspended = try stream.read(through: "\n\n") }
            #expect(try await Self.states(owner)[id]?["memoryBytes"] == nil, "a suspended instance has no use to show")

            _ = try await panel.panel.instances.setSuspended(false, id)
            try await panel.deleteInstance(id)
            var gone = ""
            while !gone.contains(#"{"instances":[]}"#) { gone = try stream.read(through: "\n\n") }
            #expect(try await Self.states(owner).isEmpty, "a deleted instance is gone from the list")
        }
    }
}
