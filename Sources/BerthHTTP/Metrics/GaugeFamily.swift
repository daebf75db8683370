import Synchronization

/// Gauges of one name set together from a count of the process's state, one per label value: a value that
/// is no longer counted (no instance is in that state, a node was deleted) goes from the scrape rather
/// than stay at its last number.
public final class GaugeFamily: Sendable {
    let metrics: MetricsRegistry
    let name: String
    let labelName: String
    private let reported = Mutex<Set<String>>([])

    public init(_ name: String, by labelName: String, in metrics: MetricsRegistry) {
        self.metrics = metrics
        self.name = name
        self.labelName = labelName
    }

    /// Sets one gauge per key of `values`, and removes those of keys that are gone.
    public func set(_ values: [String: Double]) {
        let gone = reported.withLock { reported in
            defer { reported = Set(values.keys) }
            return reported.subtracting(values.keys)
        }
        for label in gone { metrics.gauge(name, [(labelName, label)]).destroy() }
        for (label, value) in values { metrics.gauge(name, [(labelName, label)]).record(value) }
    }
}
