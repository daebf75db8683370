import BerthProtocol
import NIOCore
import ServiceLifecycle

/// Tells the panel every ``interval`` that this node is alive, with what it is (``NodeInfo``).
struct HeartbeatSender: Service {
    let connection: PanelConnection?
    let source: NodeInfoSource
    /// How often the node says it is alive; the panel counts a node offline after a few missed beats.
    let interval: Duration

    /// A heartbeat older than the next is no news: one that cannot be delivered within an interval (2 s at
    /// least) gives way to the next, so a node whose link returns is seen at its next beat, not after a
    /// connection attempt into the silence has timed out.
    private var deadline: TimeAmount {
        max(TimeAmount(interval), .seconds(2))
    }

    func run() async throws {
        guard let connection else {
            // A node without a panel has nobody to tell; a service that ends early would stop the daemon.
            try await gracefulShutdown()
            return
        }
        // A shutdown cancels the wait between beats; that ends the service normally, not with an error
        // that would make the service group cancel everything else.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = await connection.post(await source.nodeInfo(), to: PanelRemoteRoutes.heartbeat, what: "a heartbeat", deadline: deadline)
                try? await Task.sleep(for: interval)
            }
        }
    }
}

extension HeartbeatSender: CustomStringConvertible {
    /// Only the name: ServiceLifecycle logs its services at debug level, and its connection holds the node's signing key.
    var description: String { "HeartbeatSender" }
}
