import ServiceLifecycle

/// Work the panel goes on with after it has answered (a backup the API asked for), run by a service of
/// the panel's own: a graceful shutdown stops taking more and waits for what runs, within its grace period.
/// Work that must be waited for is run where it is asked for instead.
package struct BackgroundWork: Service {
    private let jobs: AsyncStream<@Sendable () async -> Void>
    private let queue: AsyncStream<@Sendable () async -> Void>.Continuation

    init() {
        (jobs, queue) = AsyncStream.makeStream()
    }

    /// Runs `job` soon, beside the others.
    func submit(_ job: @escaping @Sendable () async -> Void) {
        queue.yield(job)
    }

    package func run() async {
        await withDiscardingTaskGroup { group in
            for await job in jobs.cancelOnGracefulShutdown() {
                group.addTask { await job() }
            }
        }
    }
}
