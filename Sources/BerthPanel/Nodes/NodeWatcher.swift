import FluentKit
import Foundation
import Logging
import SQLKit
import ServiceLifecycle

/// Tells webhooks when a node stops answering and when it answers again. A node's going offline is
/// claimed with one conditional update of its row, so of several panel processes only one tells it, once;
/// its heartbeat after that tells it is back (``nodeAnswered(_:)``).
struct NodeWatcher: Service {
    let database: PanelDatabase
    let instances: InstanceStore
    let liveness: NodeLiveness

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while (try? await Task.sleep(for: liveness.watchInterval)) != nil {
                await reportSilentNodes()
            }
        }
    }

    /// Posts `node.offline` for each node heard from once and not within the node timeout since.
    func reportSilentNodes(at now: Date = Date()) async {
        do {
            let silent = try await Node.query(on: database.db()).filter(\.$reportedOffline == false).all()
                .filter { $0.lastSeenAt != nil && !liveness.isOnline($0, at: now) }
            for node in silent where try await claim(node, reportedOffline: true) {
                await instances.outbox.post(.nodeOffline, aboutNode: node)
            }
        } catch {
            instances.logger.error("nodes that stopped answering could not be looked for: \(error)")
        }
    }

    /// Posts `node.online` when the node was reported offline; called on each heartbeat.
    func nodeAnswered(_ node: Node) async throws {
        guard node.reportedOffline, try await claim(node, reportedOffline: false) else { return }
        await instances.outbox.post(.nodeOnline, aboutNode: node)
    }

    /// Changes the node's flag, and says whether this process changed it (another may have first).
    private func claim(_ node: Node, reportedOffline: Bool) async throws -> Bool {
        let rows = try await database.sql().raw(
            """
            UPDATE nodes SET reported_offline = \(bind: reportedOffline) \
            WHERE id = \(bind: try node.requireID()) AND reported_offline = \(bind: !reportedOffline) RETURNING id
            """
        ).all()
        node.reportedOffline = reportedOffline
        return !rows.isEmpty
    }
}

extension NodeWatcher: CustomStringConvertible {
    /// Only the name: ServiceLifecycle logs its services at debug level, and the stores it holds reach the nodes' secrets.
    var description: String { "NodeWatcher" }
}
