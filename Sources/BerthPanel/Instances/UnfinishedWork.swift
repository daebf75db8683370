import ServiceLifecycle

/// Finishes, every few seconds, what was left half-done: deletions that nodes have not confirmed (so a node
/// that was down never keeps a container the panel has forgotten, nor the panel a row for a container long
/// gone), deploys and transfers whose panel process went away before their nodes answered, and the copies moved instances
/// left on nodes that did not answer when asked to delete them. Of the panel processes on
/// one database, the one holding the lease does it.
struct UnfinishedWork: Service {
    let instances: InstanceStore
    let lease: WorkLease
    let interval: Duration

    func run() async throws {
        // A shutdown cancels the wait; that is the normal end, not an error.
        await cancelWhenGracefulShutdown {
            while (try? await Task.sleep(for: interval)) != nil {
                // Held for three rounds: a holder that stops is replaced after them.
                guard (try? await lease.take(for: 3 * Double(interval.components.seconds))) == true else { continue }
                await instances.recoverAbandonedDeploys()
                await instances.recoverAbandonedTransfers()
                await instances.retryPendingDeletions()
                await instances.removeLeftCopies()
            }
        }
    }
}

extension UnfinishedWork: CustomStringConvertible {
    /// Only the name: ServiceLifecycle logs its services at debug level, and the stores it holds reach the nodes' secrets.
    var description: String { "UnfinishedWork" }
}
