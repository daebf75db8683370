import BerthHTTP

/// What the daemon's `/metrics` reads from its state at each scrape: instances by state, console viewers,
/// events waiting for the panel, SFTP sessions. Requests, installs and crash restarts are counted as they
/// happen.
struct DaemonGauges: Sendable {
    let supervisor: InstanceSupervisor
    let reporter: PanelReporter
    let sftp: SFTPService?
    let metrics: MetricsRegistry
    let instances: GaugeFamily

    init(supervisor: InstanceSupervisor, reporter: PanelReporter, sftp: SFTPService?, metrics: MetricsRegistry) {
        self.supervisor = supervisor
        self.reporter = reporter
        self.sftp = sftp
        self.metrics = metrics
        instances = GaugeFamily("berth_daemon_instances", by: "state", in: metrics)
        // At 0 from the start, so that a rate over it begins with the daemon rather than at the first crash.
        _ = metrics.counter("berth_daemon_crash_restarts_total")
    }

    func refresh() async {
        let readings = await supervisor.gaugeReadings()
        instances.set(readings.states)
        metrics.gauge("berth_daemon_console_viewers").record(readings.consoleViewers)
        metrics.gauge("berth_daemon_event_queue_depth").record(reporter.undelivered.count)
        metrics.gauge("berth_daemon_sftp_sessions").record(sftp?.sessions.all.count ?? 0)
    }
}
