import BerthProtocol
import BerthTestSupport
import Foundation
import Testing

@testable import BerthDaemon

/// The daemon's `/metrics` in Prometheus' text format, scraped as Prometheus would while a real instance
/// installs, runs and stops; and who may scrape it: this machine, and others with the metrics token.
@Suite("The daemon's /metrics", .timeLimit(.minutes(4)))
struct DaemonMetricsTests {
    static func scrape(_ daemon: TestDaemon, at host: String = "127.0.0.1", token: String? = nil) async throws -> HTTPAnswer {
        try await HTTPAnswer.request(.GET, "http://\(host):\(daemon.port)/metrics", headers: token.map { [("Authorization", "Bearer \($0)")] } ?? [])
    }

    static func samples(_ daemon: TestDaemon) async throws -> PrometheusSamples {
        try await PrometheusSamples.scrape("http://127.0.0.1:\(daemon.port)/metrics")
    }

    @Test("requests by route, installs, and instances by state are counted and move as a real instance installs, runs and stops")
    func seriesMove() async throws {
        try await TestDaemon.with { daemon in
            let idle = try await Self.samples(daemon)
            #expect(idle.all("berth_daemon_instances").isEmpty, "no instance, no state")
            #expect(idle.value("berth_daemon_console_viewers") == 0 && idle.value("berth_daemon_event_queue_depth") == 0)

            let specification = TestDaemon.echoSpecification()
            try await daemon.deployRunning(specification)
            _ = try await daemon.request(.GET, "/no/such/route/\(specification.id)")
            let running = try await Self.samples(daemon)
            #expect(running.value("berth_daemon_instances", ["state": "running"]) == 1)
            #expect(running.value("berth_daemon_install_duration_seconds_count", ["outcome": "ready"]) == 1)
            #expect(running.value("berth_http_requests_total", ["route": "/api/instances", "method": "POST", "status": "202"]) == 1)
            #expect((running.value("berth_http_request_duration_seconds_count", ["route": "/api/instances", "method": "POST"]) ?? 0) == 1)
            #expect(running.value("berth_http_requests_total", ["route": "unmatched", "method": "GET", "status": "404"]) == 1)
            #expect(
                !running.samples.contains { $0.labels.values.contains { $0.contains(specification.id) } },
                "routes are patterns: an id never makes a series of its own"
            )
            let served = Set(running.samples.map(\.name))
            let charted = try GrafanaDashboard.seriesNames().filter { $0.hasPrefix("berth_daemon_") }
            #expect(charted.subtracting(served).isEmpty, "the dashboard charts only what a node serves: \(charted.subtracting(served))")

            try await daemon.power(.stop, specification.id)
            try await daemon.waitFor(specification.id, "offline") { $0.powerState == .offline }
            let stopped = try await Self.samples(daemon)
            #expect(stopped.value("berth_daemon_instances", ["state": "offline"]) == 1)
            #expect(stopped.value("berth_daemon_instances", ["state": "running"]) == nil, "a state nothing is in goes from the scrape")
            let scrapes = stopped.value("berth_http_requests_total", ["route": "/metrics", "method": "GET", "status": "200"]) ?? 0
            #expect(scrapes >= 2, "the earlier scrapes were counted: \(scrapes)")
        }
    }

    @Test("served to this machine; from another address only with the metrics token, never with the node's")
    func access() async throws {
        // An address of this machine that is not loopback: the host end of a veth of the test's own. A
        // connection to it stays on the machine, and the daemon sees it come from that address.
        let suffix = String(UUID().uuidString.prefix(6).lowercased())
        let address = "198.51.100.50"
        try HostShell.run(
            "ip link add bt\(suffix)m type veth peer name bt\(suffix)p && ip addr add \(address)/32 dev bt\(suffix)m && ip link set bt\(suffix)m up"
        )
        defer { _ = try? HostShell.run("ip link delete bt\(suffix)m") }
        let token = "metrics-token-\(UUID().uuidString)"
        try await TestDaemon.with(host: "0.0.0.0", metricsToken: token) { daemon in
            #expect(try await Self.scrape(daemon).status == 200, "this machine, no token")
            for (shown, what) in [(nil, "no token"), ("wrong-\(token)", "a wrong token"), (daemon.token, "the node's token")] {
                let refused = try await Self.scrape(daemon, at: address, token: shown)
                #expect(refused.status == 403, "\(what): \(refused.status)")
                #expect(refused.error == "metrics are served to this machine, and to others with the metrics token (Authorization: Bearer)")
                #expect(!refused.text.contains("berth_"), "\(what): nothing of the metrics")
            }
            let allowed = try await Self.scrape(daemon, at: address, token: token)
            #expect(allowed.status == 200 && allowed.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(PrometheusSamples(allowed.text).value("berth_daemon_console_viewers") == 0)
        }
        try await TestDaemon.with(host: "0.0.0.0") { daemon in
            let refused = try await Self.scrape(daemon, at: address, token: "anything")
            #expect(refused.status == 403, "without a token set, only this machine")
        }
    }
}
