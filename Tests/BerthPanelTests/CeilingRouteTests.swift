import Foundation
import Testing

@testable import BerthPanel

@Suite("Benchmark ceiling route", .timeLimit(.minutes(2)))
struct CeilingRouteTests {
    @Test("a panel configured without the ceiling answers its route with 404")
    func offByDefault() async throws {
        try await InProcessPanel.with { panel in
            let answer = try await panel.request(.GET, "/bench/ceiling?bytes=100", apiKey: .some(nil))
            #expect(answer.status == 404)
        }
    }
}
