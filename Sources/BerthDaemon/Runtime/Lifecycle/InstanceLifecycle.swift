import BerthProtocol
import Foundation

/// The decisions about one instance — may it start, what does a stop do, is an ended run a crash, what
/// does reconciliation make of a container — as a value with no I/O: each event changes the state and
/// returns what the ``InstanceSupervisor`` must do. Tests drive every transition without Docker.
///
/// The fields marked as saved are the ones ``InstanceRecord`` keeps across daemon restarts. Only the
/// events in `InstanceLifecycle+Install`, `+Power` and `+Reconciliation` change them (Swift's
/// `private(set)` would keep those extensions out too); the supervisor reads them.
struct InstanceLifecycle: Sendable, Equatable {
    /// Saved. Where the installation stands.
    var install: InstallState
    /// Saved. Why the install failed.
    var installFailure: String?
    /// Saved. Whether the instance should be running: restored after a daemon restart.
    var shouldRun: Bool
    /// Saved. A suspended instance cannot start.
    var suspended: Bool

    var power: PowerState = .offline
    /// Work on the whole instance that rules out other work until it ends.
    var activity: Activity = .none
    /// Identifies the current container session; a session that ended late must not touch a newer one.
    var session: UUID?
    /// A restart was asked for: start again once the stop completes.
    var restartWhenStopped = false
    /// Recent crashes, for the crash policy.
    var crashes: [ContinuousClock.Instant] = []
    /// Why the instance is offline, when that was not asked for.
    var offlineReason: String?

    enum Activity: Sendable, Equatable {
        case none
        case installing
        case deleting
        /// Restored from the state file and not yet matched with its container: its real state is unknown.
        case reconciling
        /// A backup replaces the volume's contents; the instance stays stopped and its files out of reach.
        case restoring
    }

    /// A new instance, about to install.
    init(suspended: Bool) {
        install = .installing
        shouldRun = false
        self.suspended = suspended
        activity = .installing
    }

    /// An instance the last run of the daemon left behind, waiting to be reconciled.
    init(restoring install: InstallState, installFailure: String?, shouldRun: Bool, suspended: Bool) {
        self.install = install
        self.installFailure = installFailure
        self.shouldRun = shouldRun
        self.suspended = suspended
        activity = .reconciling
    }

    /// The reason shown with the status: the install's failure, or why it went offline.
    var reason: String? {
        install == .failed ? installFailure : offlineReason
    }

    /// Offline, or crashed and waiting for its restart: nothing runs.
    var isStopped: Bool {
        power == .offline || power == .crashed
    }

    /// Commands reach the process only while it runs.
    var acceptsCommands: Bool {
        power == .running || power == .starting
    }

    /// Refuses work on an instance whose state is not known or that is going away.
    func checkAvailable() throws {
        switch activity {
        case .reconciling:
            throw InstanceError.unavailable(
                "the node is still matching this instance with its container after a restart; try again in a moment"
            )
        case .deleting:
            throw InstanceError.conflict("the instance is being deleted")
        case .restoring:
            throw InstanceError.conflict("a backup is being restored into the instance; wait until it is done")
        case .none, .installing:
            break
        }
    }
}
