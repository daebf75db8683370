import Foundation
import Synchronization
import Testing

@testable import BerthPanel

/// ``SharedReading`` against its promise: every asker gets a reading that began after it asked, and askers
/// that come while one is under way share the next. The "database" here is a counter: each asker moves it
/// (a commit that returned) before asking, and a reading returns the counter as it stood when it began.
@Suite("One reading shared by those who ask at once")
struct SharedReadingTests {
    final class Database: Sendable {
        let commits = Atomic<Int>(0)
        let readings = Atomic<Int>(0)

        func read() async throws -> Int {
            readings.add(1, ordering: .relaxed)
            let seen = commits.load(ordering: .sequentiallyConsistent)
            try await Task.sleep(for: .milliseconds(5))
            return seen
        }
    }

    @Test("no answer predates its question, and 200 askers at once cost far fewer readings")
    func freshAndShared() async throws {
        let database = Database()
        let shared = SharedReading { try await database.read() }
        let stale = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                group.addTask {
                    try await Task.sleep(for: .microseconds(index * 100))
                    let committed = database.commits.add(1, ordering: .sequentiallyConsistent).newValue
                    return try await shared.value() < committed
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(stale == 0, "answers that did not see a commit that returned before they asked")
        let readings = database.readings.load(ordering: .relaxed)
        #expect(readings < 100, "\(readings) readings for 200 askers")
        #expect(readings > 1, "askers after a reading began waited for the next")
    }

    @Test("a failed reading fails those who shared it, and the next asker gets a new one")
    func failureIsNotKept() async throws {
        let failing = Atomic<Bool>(true)
        let shared = SharedReading { () async throws -> Int in
            if failing.load(ordering: .relaxed) { throw CancellationError() }
            return 7
        }
        await #expect(throws: CancellationError.self) { try await shared.value() }
        failing.store(false, ordering: .relaxed)
        #expect(try await shared.value() == 7)
    }
}
