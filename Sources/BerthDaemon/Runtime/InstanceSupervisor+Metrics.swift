extension InstanceSupervisor {
    /// Instances by one word of state (`suspended`, `installing`, `failed`, or the power state:
    /// `running`, `offline`, `crashed`…) and the console viewers watching them, for `/metrics`.
    func gaugeReadings() -> (states: [String: Double], consoleViewers: Int) {
        var states: [String: Double] = [:]
        for record in records.values {
            let status = Self.status(of: record)
            let state =
                if status.suspended { "suspended" } else if status.installState != .ready {
                    status.installState.rawValue.lowercased()
                } else { status.powerState.rawValue }
            states[state, default: 0] += 1
        }
        return (states, consoles.values.reduce(0) { $0 + $1.viewerCount })
    }
}
