import ServiceLifecycle

/// Retries, every few seconds, the deletions that nodes have not confirmed, so a node that was down
/// never keeps a container the panel has forgotten, nor the panel a row for a container long gone.
struct DeletionRetrier: Service {
    let instances: InstanceStore
    let interval: Duration

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                await instances.retryPendingDeletions()
            }
        }
    }
}
