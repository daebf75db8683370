import BerthTestSupport
import Foundation
import NIOHTTP1

/// One `berth panel` replica of a cluster test: a process of its own on the cluster's database, listening
/// on this machine's address on the cluster's bridge, where the nodes' daemons reach it.
struct ClusterPanel: Sendable {
    let name: String
    let port: Int
    let url: String
    let apiKey: String
    let process: ChildProcess

    /// Starts a replica and waits until it answers.
    static func start(_ name: String, port: Int, dataDirectory: String, databaseURL: String, apiKey: String) async throws -> ClusterPanel {
        let process = try ChildProcess(
            BerthExecutable.path,
            [
                "panel", "--data", dataDirectory, "--host", TestCluster.hostAddress, "--port", "\(port)",
                "--node-timeout", "\(Int(TestCluster.nodeTimeout))", "--log-level", "warning",
            ],
            environment: ["BERTH_DATABASE_URL": databaseURL]
        )
        let panel = ClusterPanel(name: name, port: port, url: "http://\(TestCluster.hostAddress):\(port)", apiKey: apiKey, process: process)
        let deadline = ContinuousClock.now + .seconds(60)
        // The sign-in page: asking /api with a wrong key would count against the tests' address.
        while (try? await HTTPAnswer.request(.GET, panel.url + "/login"))?.status != 200 {
            guard ContinuousClock.now < deadline, process.isRunning else {
                throw TestFailure("panel \(name) never answered: \(process.outputSoFar)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return panel
    }

    /// One request with the cluster's API key; `fields` as a JSON object.
    func request(_ method: HTTPMethod, _ path: String, _ fields: [String: Any]? = nil) async throws -> HTTPAnswer {
        let json = try fields.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        return try await HTTPAnswer.request(method, url + path, headers: [("x-api-key", apiKey)], json: json)
    }

    /// Writes `bytes` to the file at `path` of instance `id`, through the panel's file manager.
    func upload(_ bytes: Data, to path: String, of id: String) async throws -> HTTPAnswer {
        try await HTTPAnswer.request(
            .PUT,
            url + "/api/v1/instances/\(id)/files/contents?path=\(path)",
            headers: [("x-api-key", apiKey)],
            bytes: bytes
        )
    }

    /// Waits until the instance's latest transfer is in `state`; returns it.
    func waitForTransfer(of id: String, _ state: String, seconds: Int = 180) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var latest: [String: Any]?
        while ContinuousClock.now < deadline {
            latest = try await request(.GET, "/api/v1/instances/\(id)/transfers").array.first
            if latest?["state"] as? String == state { return latest ?? [:] }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw TestFailure("panel \(name): the transfer of \(id) never became \(state); last: \(latest.map { "\($0)" } ?? "none")")
    }

    /// The instances `GET /api/instances` lists, by id.
    func instances() async throws -> [String: [String: Any]] {
        let answer = try await request(.GET, "/api/instances")
        guard answer.status == 200 else { throw TestFailure("panel \(name) listed instances with \(answer.status): \(answer.text)") }
        return Dictionary(answer.array.compactMap { row in (row["Id"] as? String).map { ($0, row) } }, uniquingKeysWith: { $1 })
    }

    /// Each node's `status` as `GET /api/nodes` says, by node id.
    func nodeStatuses() async throws -> [String: String] {
        let answer = try await request(.GET, "/api/nodes")
        guard answer.status == 200 else { throw TestFailure("panel \(name) listed nodes with \(answer.status): \(answer.text)") }
        return Dictionary(
            answer.array.compactMap { row in (row["id"] as? String).map { ($0, row["status"] as? String ?? "") } },
            uniquingKeysWith: { $1 }
        )
    }

    /// Waits (generously: a loaded machine is slow, and no test here judges speed) until `condition`
    /// holds of this replica's instance `id` (nil when it is not listed).
    @discardableResult
    func waitForInstance(_ id: String, _ what: String, seconds: Int = 120, _ condition: ([String: Any]?) -> Bool) async throws -> [String: Any]? {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var last: [String: Any]?
        while ContinuousClock.now < deadline {
            last = try await instances()[id]
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw TestFailure("panel \(name): instance \(id) never became \(what); last seen: \(last.map { "\($0)" } ?? "not listed")")
    }

    /// Waits until node `id` shows `status` on this replica.
    func waitForNode(_ id: String, _ status: String, seconds: Int = 120) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while try await nodeStatuses()[id] != status {
            guard ContinuousClock.now < deadline else { throw TestFailure("panel \(name): node \(id) never became \(status)") }
            try await Task.sleep(for: .milliseconds(250))
        }
    }
}
