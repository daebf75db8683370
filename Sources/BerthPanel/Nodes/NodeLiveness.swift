import Foundation

/// When a node counts as online: while its last heartbeat is younger than the panel's node timeout
/// (`berth panel --node-timeout`, 30 s unless set). Every replica judges alike, from the row they share.
package struct NodeLiveness: Sendable {
    /// Seconds without a heartbeat after which a node is offline.
    package let timeout: TimeInterval

    package init(timeout: TimeInterval = 30) {
        self.timeout = timeout
    }

    package func isOnline(_ node: Node, at now: Date = Date()) -> Bool {
        node.lastSeenAt.map { now.timeIntervalSince($0) < timeout } == true
    }

    /// Throws ``PanelError/nodeUnavailable(_:)`` saying since when, for a node that is not online.
    func requireOnline(_ node: Node, at now: Date = Date()) throws {
        guard !isOnline(node, at: now) else { return }
        guard let seen = node.lastSeenAt else {
            throw PanelError.nodeUnavailable("node \(node.name) is offline: its daemon has never sent a heartbeat")
        }
        throw PanelError.nodeUnavailable(
            "node \(node.name) is offline: its last heartbeat was \(Int(now.timeIntervalSince(seen))) seconds ago (the panel waits \(Int(timeout)))"
        )
    }

    /// How often replicas look for nodes that went silent: often enough that webhooks and instance
    /// lists learn of it within a third of the timeout, and never less often than every 5 s.
    var watchInterval: Duration { .milliseconds(Int64(min(5, timeout / 3) * 1000)) }
}
