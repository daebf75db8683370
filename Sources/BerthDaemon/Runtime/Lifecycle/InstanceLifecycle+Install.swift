import BerthProtocol

extension InstanceLifecycle {
    /// Runs the install script again and recreates the container; the instance must be stopped.
    mutating func requestReinstall() throws {
        try checkAvailable()
        guard activity != .installing else { throw InstanceError.conflict("the instance is already installing") }
        guard isStopped else { throw InstanceError.conflict("stop the instance before reinstalling it") }
        install = .installing
        installFailure = nil
        activity = .installing
    }

    /// The install ended, with the reason when it failed.
    mutating func installFinished(failure: String?) {
        guard activity == .installing else { return }
        activity = .none
        if let failure {
            install = .failed
            installFailure = failure
        } else {
            install = .ready
            installFailure = nil
        }
    }

    /// Deleting an instance stops everything it does: an install under way is left to find the instance
    /// gone and clear up after itself. Refused only while the instance's state is unknown, and while a
    /// backup is being restored into its volume.
    mutating func requestDelete() throws {
        guard activity != .reconciling, activity != .restoring else {
            try checkAvailable()
            return
        }
        activity = .deleting
        shouldRun = false
        restartWhenStopped = false
    }

    /// Docker could not confirm the containers are gone, so the instance stays, offline and usable.
    mutating func deleteFailed() {
        guard activity == .deleting else { return }
        activity = .none
    }
}
