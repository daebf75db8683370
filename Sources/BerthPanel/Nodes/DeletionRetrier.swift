import ServiceLifecycle

/// Retries, every few seconds, the deletions that nodes have not confirmed, so a node that was down
/// never keeps a container the panel has forgotten, nor the panel a row for a container long gone.
struct DeletionRetrier: Service {
    let instances: InstanceStore
    let interval: Duration

    func run() async throws {
        // A shutdown cancels the wait; that is the normal end, not an error.
        await cancelWhenGracefulShutdown {
            while (try? await Task.sleep(for: interval)) != nil {
                await instances.retryPendingDeletions()
            }
        }
    }
}

extension DeletionRetrier: CustomStringConvertible {
    /// Only the name: ServiceLifecycle logs its services at debug level, and the stores it holds reach the nodes' secrets.
    var description: String { "DeletionRetrier" }
}
