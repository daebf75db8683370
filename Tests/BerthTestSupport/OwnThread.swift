import Foundation

/// Runs blocking work (a socket read, a program's run) on a thread of its own: on the concurrency pool,
/// whose threads are as few as the cores, two blocked reads starve the in-process panel that should
/// answer them.
public func onOwnThread<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Swift.Result { try work() }) }
    }
}
