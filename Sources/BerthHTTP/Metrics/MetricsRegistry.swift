import CoreMetrics
import Prometheus

/// One process's metrics, the panel's or a daemon's: swift-metrics' types over a Prometheus registry of
/// its own, handed to what records them. Nothing is bootstrapped process-wide, so two panels in one test
/// process count apart, and a library's own metrics never mix in unasked.
public struct MetricsRegistry: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // From a fast API answer to a slow install: a millisecond to five minutes.
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
            .seconds(30), .seconds(60), .seconds(300),
        ]
        self.factory = factory
    }

    /// A count that only grows; by Prometheus' custom its name ends in `_total`.
    public func counter(_ name: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: name, dimensions: dimensions, factory: factory)
    }

    /// Durations as a histogram; by Prometheus' custom its name ends in `_seconds`.
    public func timer(_ name: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Timer {
        CoreMetrics.Timer(label: name, dimensions: dimensions, preferredDisplayUnit: .seconds, factory: factory)
    }

    /// A value that goes up and down, set when it is known (often just before a scrape).
    public func gauge(_ name: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Gauge {
        CoreMetrics.Gauge(label: name, dimensions: dimensions, factory: factory)
    }

    /// Everything recorded, in Prometheus' text format.
    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}
