import BerthProtocol

extension InstanceSupervisor {
    /// Instances by ``InstanceStateLabel`` and the console viewers watching them, for `/metrics`. A node's
    /// status says nothing of a deletion under way, so none is counted as one.
    func gaugeReadings() -> (states: [String: Double], consoleViewers: Int) {
        var states: [String: Double] = [:]
        for record in records.values {
            let status = Self.status(of: record)
            let state = InstanceStateLabel.of(
                installState: status.installState.rawValue,
                powerState: status.powerState.rawValue,
                suspended: status.suspended,
                deleting: false
            )
            states[state, default: 0] += 1
        }
        return (states, consoles.values.reduce(0) { $0 + $1.viewerCount })
    }
}
