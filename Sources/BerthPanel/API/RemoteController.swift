import BerthHTTP
import BerthProtocol
import FluentKit
import Foundation
import Hummingbird

/// `/api/remote/...`: what daemons tell the panel, each callback signed with the node's key
/// (``CallbackSignature``): a forged, altered, stale or replayed one is a 401.
struct RemoteController<Context: PanelRequestContext>: Sendable {
    let database: PanelDatabase
    let instances: InstanceStore
    let trust: NodeTrust
    let nonces: CallbackNonces
    let box: SecretBox
    let sftp: SFTPLogins
    let nodeWatcher: NodeWatcher

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("remote/events") { request, _ in
            let (node, body) = try await authenticate(request, route: PanelRemoteRoutes.events, maxBytes: 4 << 20)
            let batch = try Request.decodeJSON(as: InstanceEventBatch.self, from: body)
            try await instances.apply(batch.events, from: node)
            return Response(status: .noContent)
        }
        group.post("remote/heartbeat") { request, _ in
            let (node, body) = try await authenticate(request, route: PanelRemoteRoutes.heartbeat, maxBytes: 1 << 20)
            let info = try Request.decodeJSON(as: NodeInfo.self, from: body)
            try await trust.check(presented: info.certificate, by: node)
            let wasOffline = !instances.liveness.isOnline(node)
            node.lastSeenAt = Date()
            node.daemonVersion = info.version
            node.sftpPort = info.sftp?.port
            node.sftpFingerprint = info.sftp?.hostKeyFingerprint
            node.cores = Double(info.cpuCores)
            try await node.save(on: database.db())
            try await nodeWatcher.nodeAnswered(node)
            if wasOffline {
                // A node that comes back may have deletions waiting for it.
                await instances.retryPendingDeletions()
            }
            return Response(status: .noContent)
        }
        group.post("remote/sftp/login") { request, _ in
            let (node, body) = try await authenticate(request, route: PanelRemoteRoutes.sftpLogin, maxBytes: 64 << 10)
            return try JSONResponse.make(try await sftp.login(try Request.decodeJSON(as: SFTPLoginRequest.self, from: body), on: node))
        }
        group.post("remote/sftp/activity") { request, _ in
            let (node, body) = try await authenticate(request, route: PanelRemoteRoutes.sftpActivity, maxBytes: 4 << 20)
            try await sftp.record(try Request.decodeJSON(as: SFTPActivityBatch.self, from: body), from: node)
            return Response(status: .noContent)
        }
        group.post("remote/sftp/access") { request, _ in
            let (node, body) = try await authenticate(request, route: PanelRemoteRoutes.sftpAccess, maxBytes: 64 << 10)
            return try JSONResponse.make(try await sftp.access(try Request.decodeJSON(as: SFTPAccessRequest.self, from: body), on: node))
        }
    }

    /// The node whose key signed this request for `route`, and the body it signed.
    private func authenticate(_ request: Request, route: RoutePath, maxBytes: Int) async throws -> (Node, Data) {
        guard let signature = CallbackSignature(headers: request.headers) else { throw APIError.invalidCallbackSignature }
        let body = try await request.collectBody(maxBytes: maxBytes)
        guard let node = try await Node.query(on: database.db()).filter(\.$tokenDigest == signature.keyID).first(),
            signature.isValid(method: "POST", path: route.pattern, body: body, key: try node.callbackKey(openedWith: box)),
            try await nonces.use(signature.nonce, by: try node.requireID())
        else {
            throw APIError.invalidCallbackSignature
        }
        return (node, body)
    }
}
