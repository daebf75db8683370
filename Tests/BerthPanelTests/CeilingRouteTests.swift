@testable import BerthPanel
import Foundation
import Testing

@Suite("Benchmark ceiling route", .timeLimit(.minutes(2)))
struct CeilingRouteTests {
    @Test("the ceiling route exists only when BERTH_BENCH_CEILING=1 is set")
    func onlyWhenAskedFor() {
        #expect(CeilingController.fromEnvironment([:]) == nil)
        #expect(CeilingController.fromEnvironment(["BERTH_BENCH_CEILING": "0"]) == nil)
        #expect(CeilingController.fromEnvironment(["BERTH_BENCH_CEILING": "1"]) != nil)
    }

    @Test("a panel started without BERTH_BENCH_CEILING answers the ceiling route with 404")
    func offByDefault() async throws {
        try await TestPanel.with { panel in
            let answer = try await panel.request(.GET, "/bench/ceiling?bytes=100", apiKey: .some(nil))
            #expect(answer.status == (ProcessInfo.processInfo.environment["BERTH_BENCH_CEILING"] == "1" ? 200 : 404))
        }
    }
}
