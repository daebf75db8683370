import BerthProtocol
import Foundation

extension InstanceLifecycle {
    /// What Docker has of a restored instance's runtime container.
    enum ContainerFinding: Sendable, Equatable {
        case running
        case stopped
        case missing
    }

    /// What reconciliation does with a restored instance.
    enum Reconciliation: Sendable, Equatable {
        /// Nothing to do: it stays as it is (stopped, failed).
        case keep
        /// Its container is gone: make a new one, then reconcile again as stopped.
        case recreateContainer
        /// Attach to the running container (the process is not restarted).
        case reattach(session: UUID)
        /// It should run, so start it.
        case start(session: UUID)
    }

    /// Matches a restored instance with what Docker has. An install cut short by the restart failed.
    mutating func reconcile(with finding: ContainerFinding, session newSession: UUID) -> Reconciliation {
        guard activity == .reconciling else { return .keep }
        switch install {
        case .installing:
            activity = .none
            install = .failed
            installFailure = "the daemon stopped while this instance was installing; reinstall it"
            return .keep
        case .failed:
            activity = .none
            return .keep
        case .ready:
            break
        }
        switch finding {
        case .missing:
            return .recreateContainer
        case .running:
            activity = .none
            session = newSession
            return .reattach(session: newSession)
        case .stopped:
            activity = .none
            guard shouldRun, !suspended else { return .keep }
            // Restarted under the same rules as a start asked for by someone.
            return (try? requestStart(session: newSession)).map { .start(session: $0) } ?? .keep
        }
    }

    /// The missing container could not be made again: the instance needs a reinstall.
    mutating func recreationFailed(reason: String) {
        guard activity == .reconciling else { return }
        activity = .none
        install = .failed
        installFailure = "its container was missing and could not be recreated: \(reason)"
    }

    /// Docker could not be asked: leave the instance as saved, and let requests reach it again.
    mutating func reconciliationSkipped() {
        guard activity == .reconciling else { return }
        activity = .none
    }

    /// Docker answers again: an instance left as saved is reconciled now, unless a request has it busy
    /// (an install, a deletion) or has already made it run. Returns whether it is.
    mutating func resumeReconciliation() -> Bool {
        guard activity == .none, session == nil else { return false }
        activity = .reconciling
        return true
    }
}
