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
            for await operation in work.cancelOnGracefulShutdown() {
                group.addTask(operation: operation)
            }
            // Nothing spawned from now on would run: say so to whoever spawns it.
            continuation.finish()
            group.cancelAll()
        }
    }
}
