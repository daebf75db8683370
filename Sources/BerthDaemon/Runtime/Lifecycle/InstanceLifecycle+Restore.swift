import BerthProtocol

extension InstanceLifecycle {
    /// Begins restoring a backup: the instance stops (when it runs) and nothing else may happen to it
    /// until ``restoreFinished()``. Whether it ran says whether to start it again afterwards.
    mutating func requestRestore() throws -> (wasRunning: Bool, stop: StopRequest) {
        try checkAvailable()
        guard activity != .installing else { throw InstanceError.conflict("the instance is installing; restore the backup once it is done") }
        guard !suspended else { throw InstanceError.conflict("the instance is suspended") }
        let wasRunning = shouldRun && !isStopped
        let request = stop(kill: false)
        activity = .restoring
        return (wasRunning, request)
    }

    mutating func restoreFinished() {
        guard activity == .restoring else { return }
        activity = .none
    }
}
