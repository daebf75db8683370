import BerthHTTP
import BerthTestSupport
import FluentKit
import Foundation
import Testing

@testable import BerthPanel

/// The panel's `/metrics` in Prometheus' text format with a real node beside it: requests by route, the
/// database's counts of instances and nodes, heartbeat ages; and who may scrape it behind a reverse proxy.
@Suite("The panel's /metrics", .timeLimit(.minutes(4)))
struct PanelMetricsTests {
    static func scrape(_ panel: TestPanel, forwardedFor client: String? = nil, token: String? = nil) async throws -> HTTPAnswer {
        var headers: [(String, String)] = []
        if let client { headers.append(("X-Forwarded-For", client)) }
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        return try await HTTPAnswer.request(.GET, "http://127.0.0.1:\(panel.port)/metrics", headers: headers)
    }

    static func samples(_ panel: TestPanel) async throws -> PrometheusSamples {
        try await PrometheusSamples.scrape("http://127.0.0.1:\(panel.port)/metrics")
    }

    @Test("requests are counted by route; instances by state, nodes online and heartbeat ages come from the database and move")
    func seriesMove() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let before = try await Self.samples(panel)
            #expect(before.value("berth_nodes", ["status": "online"]) == 1 && before.value("berth_nodes", ["status": "offline"]) == 0)
            let age = try #require(before.value("berth_node_heartbeat_age_seconds", ["node": "local"]))
            #expect(age >= 0 && age < 30, "the node's last heartbeat is recent: \(age)")
            #expect(before.all("berth_instances").isEmpty)

            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            // Waiting for READY asked getInstance too: counted from here.
            let ready = try await Self.samples(panel)
            let route = ["route": "/api/getInstance", "method": "POST"]
            let answered = ready.value("berth_http_requests_total", route.merging(["status": "200"]) { $1 }) ?? 0
            let timed = ready.value("berth_http_request_duration_seconds_count", route) ?? 0
            for _ in 0..<3 {
                #expect(try await panel.request(.POST, "/api/getInstance", json: #"{"id": "\#(id)"}"#).status == 200)
            }
            _ = try await panel.request(.POST, "/api/getInstance", json: #"{"id": "no-such-instance"}"#)
            let after = try await Self.samples(panel)
            let instances = after.all("berth_instances")
            #expect(instances.map(\.value).reduce(0, +) == 1, "one instance, in one state: \(instances.map(\.labels))")
            #expect(after.value("berth_http_requests_total", route.merging(["status": "200"]) { $1 }) == answered + 3)
            #expect(after.value("berth_http_requests_total", route.merging(["status": "400"]) { $1 }) == 1)
            #expect(after.value("berth_http_request_duration_seconds_count", route) == timed + 4)
            #expect(after.value("berth_console_sockets") == 0)
            #expect(after.value("berth_webhook_queue_depth") == 0 && after.value("berth_backups_in_progress") == 0)
            let served = Set(after.samples.map(\.name))
            let charted = try GrafanaDashboard.seriesNames().filter { !$0.hasPrefix("berth_daemon_") }
            #expect(charted.subtracting(served).isEmpty, "the dashboard charts only what the panel serves: \(charted.subtracting(served))")

            _ = try await panel.request(.POST, "/api/instances/suspend/\(id)", json: "{}")
            let suspended = try await Self.samples(panel)
            #expect(suspended.value("berth_instances", ["state": "suspended"]) == 1, "\(suspended.all("berth_instances").map(\.labels))")
            #expect(suspended.all("berth_instances").count == 1, "the state it left goes from the scrape")

            // The node's report of the suspension's stop comes in before the webhook is made, or it would queue
            // a delivery of its own beside the one below.
            _ = try await panel.waitFor(id, "offline, as the node reports the suspension") { $0["PowerState"] as? String == "offline" }
            // A webhook whose receiver is not there keeps its delivery waiting: the queue's depth says so.
            #expect(
                try await panel.request(.POST, "/api/v1/webhooks", json: #"{"url": "http://127.0.0.1:9/hook", "events": ["instance.stopped"]}"#)
                    .status == 201
            )
            _ = try await panel.request(.POST, "/api/instances/unsuspend/\(id)", json: "{}")
            let instance = try #require(try await Instance.find(UUID(uuidString: id), on: panel.panel.database.db()))
            await panel.panel.instances.outbox.post(.stopped, about: instance)
            #expect(try await Self.samples(panel).value("berth_webhook_queue_depth") == 1)
        }
    }

    @Test("behind a trusted proxy, a client elsewhere needs the metrics token; without a token set, only this machine is served")
    func access() async throws {
        let token = "metrics-token-\(UUID().uuidString)"
        let proxies = TrustedProxies([try #require(AddressRange("127.0.0.1/32"))])
        try await TestPanel.with(trustedProxies: proxies, metricsToken: token) { panel in
            #expect(try await Self.scrape(panel).status == 200, "the proxy's own machine")
            #expect(try await Self.scrape(panel, forwardedFor: "127.0.0.1").status == 200, "a client on this machine, through the proxy")
            for (shown, what) in [(nil, "no token"), ("wrong-\(token)", "a wrong token"), (panel.apiKey, "an admin's API key")] {
                let refused = try await Self.scrape(panel, forwardedFor: "203.0.113.9", token: shown)
                #expect(refused.status == 403 && !refused.text.contains("berth_"), "\(what): \(refused.status)")
            }
            let allowed = try await Self.scrape(panel, forwardedFor: "203.0.113.9", token: token)
            #expect(allowed.status == 200 && PrometheusSamples(allowed.text).value("berth_nodes", ["status": "online"]) == 0)
        }
        try await TestPanel.with(trustedProxies: proxies) { panel in
            let refused = try await Self.scrape(panel, forwardedFor: "203.0.113.9", token: "anything")
            #expect(refused.status == 403)
        }
    }
}
