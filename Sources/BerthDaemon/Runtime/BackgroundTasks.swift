import ServiceLifecycle

/// The daemon's background work (container sessions, installs, retries) as child tasks of one task group,
/// so that shutting the daemon down cancels all of it and nothing outlives it.
final class BackgroundTasks: Service, Sendable {
    private let work: AsyncStream<@Sendable () async -> Void>
    private let continuation: AsyncStream<@Sendable () async -> Void>.Continuation

    init() {
        (work, continuation) = AsyncStream.makeStream()
    }

    /// Runs `operation` as a child of ``run()``.
    func spawn(_ operation: @escaping @Sendable () async -> Void) {
        continuation.yield(operation)
    }

    func run() async throws {
        await withDiscardingTaskGroup { group in
            for await operation in work.cancelOnGracefulShutdown() {
                group.addTask(operation: operation)
            }
            group.cancelAll()
        }
    }
}
