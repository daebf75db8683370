import ServiceLifecycle

/// The daemon's background work (container sessions, installs, retries) as child tasks of one task group,
/// so that shutting the daemon down cancels all of it and nothing outlives it.
final class BackgroundTasks: Service, Sendable {
    private let work: AsyncStream<@Sendable () async -> Void>
    private let continuation: AsyncStream<@Sendable () async -> Void>.Continuation

    init() {
        (work, continuation) = AsyncStream.makeStream()
    }

    /// Runs `operation` as a child of ``run()``; false when the daemon is shutting down and it never will.
    @discardableResult
    func spawn(_ operation: @escaping @Sendable () async -> Void) -> Bool {
        if case .terminated = continuation.yield(operation) { return false }
        return true
    }

    func run() async throws {
        await withDiscardingTaskGroup { group in
            // Finishing the stream (rather than abandoning it) lets the loop take every operation already
            // spawned: each then runs cancelled and can answer whoever waits for it. Later spawns are refused.
            await withGracefulShutdownHandler {
                for await operation in work {
                    group.addTask(operation: operation)
                }
            } onGracefulShutdown: { [continuation] in
                continuation.finish()
            }
            group.cancelAll()
        }
    }
}

extension BackgroundTasks: CustomStringConvertible {
    /// Only the name: ServiceLifecycle logs its services at debug level.
    var description: String { "BackgroundTasks" }
}
