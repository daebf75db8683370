import BerthWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import BerthPanel

@Suite("Benchmark reference routes", .timeLimit(.minutes(2)))
struct CeilingRouteTests {
    @Test("a panel configured without them answers the ceiling and the floor with 404")
    func offByDefault() async throws {
        try await InProcessPanel.with { panel in
            for path in ["/bench/ceiling?bytes=100", "/bench/floor?bytes=100"] {
                let answer = try await panel.request(.GET, path, apiKey: .some(nil))
                #expect(answer.status == 404, "\(path)")
            }
        }
    }

    @Test("turned on, both answer a JSON string of exactly the size asked, without a key; a size out of range is a 400")
    func sizes() async throws {
        let data = NSTemporaryDirectory() + "berth-ceiling-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: data) }
        var logger = Logger(label: "test.panel")
        logger.logLevel = .warning
        let panel = try await Panel.open(
            PanelConfiguration(dataDirectory: data, databaseURL: try await TestDatabase.freshURL(), benchCeiling: true),
            logger: logger
        )
        try await panel.application(frontEnd: try WebUI(panel: panel)).test(.router) { client in
            for route in ["ceiling", "floor"] {
                let body = try await client.execute(uri: "/bench/\(route)?bytes=100", method: .get) { response in
                    #expect(response.status == .ok)
                    return String(buffer: response.body)
                }
                #expect(body == "\"" + String(repeating: "x", count: 98) + "\"", "\(route)")
                let status = try await client.execute(uri: "/bench/\(route)?bytes=1", method: .get) { $0.status }
                #expect(status == .badRequest, "\(route)")
            }
        }
    }
}
