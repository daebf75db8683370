import BerthHTTP
import BerthProtocol
import FluentKit
import Foundation
import Hummingbird

/// `/api/remote/...`: what daemons tell the panel, authenticated by the node's own token.
struct RemoteController<Context: PanelRequestContext>: Sendable {
    let database: PanelDatabase
    let instances: InstanceStore

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("remote/events") { request, _ in
            let node = try await authenticate(request)
            let batch = try await request.decodeJSON(as: InstanceEventBatch.self, maxBytes: 4 << 20)
            try await instances.apply(batch.events, from: node)
            return Response(status: .noContent)
        }
        group.post("remote/heartbeat") { request, _ in
            let node = try await authenticate(request)
            let info = try await request.decodeJSON(as: NodeInfo.self)
            let wasOffline = NodeView(node).status == "offline"
            node.lastSeenAt = Date()
            node.daemonVersion = info.version
            try await node.save(on: database.db())
            if wasOffline {
                // A node that comes back may have deletions waiting for it.
                await instances.retryPendingDeletions()
            }
            return Response(status: .noContent)
        }
    }

    private func authenticate(_ request: Request) async throws -> Node {
        guard let token = request.bearerToken else { throw APIError.invalidNodeToken }
        let digest = Secrets.digest(token)
        guard let node = try await Node.query(on: database.db()).filter(\.$tokenDigest == digest).first(),
            Secrets.constantTimeEquals(node.tokenDigest, digest)
        else {
            throw APIError.invalidNodeToken
        }
        return node
    }
}
