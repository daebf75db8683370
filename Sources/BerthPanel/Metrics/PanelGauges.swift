import BerthHTTP
import BerthProtocol
import FluentKit
import Foundation
import SQLKit

/// What the panel's `/metrics` reads from its database at each scrape: instances by state, nodes by
/// status with the age of each one's last heartbeat, the console sockets open across every panel process,
/// the webhook deliveries waiting and the backups being made. Requests are counted and timed as they happen (``RequestMetricsMiddleware``).
struct PanelGauges: Sendable {
    let database: PanelDatabase
    let liveness: NodeLiveness
    let instances: GaugeFamily
    let nodes: GaugeFamily
    let heartbeatAges: GaugeFamily
    let metrics: MetricsRegistry

    init(database: PanelDatabase, liveness: NodeLiveness, metrics: MetricsRegistry) {
        self.database = database
        self.liveness = liveness
        self.metrics = metrics
        instances = GaugeFamily("berth_instances", by: "state", in: metrics)
        nodes = GaugeFamily("berth_nodes", by: "status", in: metrics)
        heartbeatAges = GaugeFamily("berth_node_heartbeat_age_seconds", by: "node", in: metrics)
    }

    /// Reads them all; a database that does not answer leaves the last values (and the request metrics
    /// say the scrape was slow).
    func refresh(now: Date = Date()) async {
        do {
            let rows = try await database.sql().raw(
                """
                SELECT install_state, power_state, suspended, deleting, COUNT(*) AS count FROM instances \
                GROUP BY install_state, power_state, suspended, deleting
                """
            ).all()
            var byState: [String: Double] = [:]
            for row in rows {
                let state = InstanceStateLabel.of(
                    installState: try row.decode(column: "install_state", as: String.self),
                    powerState: try row.decode(column: "power_state", as: String.self),
                    suspended: try row.decode(column: "suspended", as: Bool.self),
                    deleting: try row.decode(column: "deleting", as: Bool.self)
                )
                byState[state, default: 0] += Double(try row.decode(column: "count", as: Int.self))
            }
            instances.set(byState)

            let all = try await Node.query(on: database.db()).all()
            let online = all.filter { liveness.isOnline($0, at: now) }.count
            nodes.set(["online": Double(online), "offline": Double(all.count - online)])
            heartbeatAges.set(
                Dictionary(all.compactMap { node in node.lastSeenAt.map { (node.name, now.timeIntervalSince($0)) } }, uniquingKeysWith: max)
            )

            let sockets = try await database.sql().raw(
                "SELECT COUNT(*) AS open FROM console_slots WHERE seen_at >= \(bind: now.timeIntervalSince1970 - ConsoleSlots.staleAfter)"
            ).first()
            metrics.gauge("berth_console_sockets").record(try sockets?.decode(column: "open", as: Int.self) ?? 0)

            let waiting = try await WebhookDelivery.query(on: database.db()).filter(\.$state == "pending").count()
            metrics.gauge("berth_webhook_queue_depth").record(waiting)
            let underWay = try await Backup.query(on: database.db()).filter(\.$state == BackupState.creating.rawValue).all()
                .filter { $0.effectiveState(at: now) == .creating }.count
            metrics.gauge("berth_backups_in_progress").record(underWay)
        } catch {
            metrics.counter("berth_metrics_refresh_failures_total").increment()
        }
    }
}
