import BerthHTTP
import BerthProtocol
import HTTPTypes
import Hummingbird

/// The daemon's transfer routes. Preparing to receive and sending are the panel's to ask, behind the node
/// token; the files themselves come from the sending node with the transfer's single-use token instead,
/// so ``addFileRoutes(to:)`` go outside the node token's group.
struct TransferController<Context: RequestContext>: Sendable {
    let supervisor: InstanceSupervisor

    func addRoutes(to group: RouterGroup<Context>) {
        group.post(RouterPath(DaemonRoutes.incomingTransfers.pattern)) { request, _ in
            let incoming = try await request.decodeJSON(as: IncomingTransfer.self)
            return try JSONResponse.make(try await supervisor.expectTransfer(incoming), status: .created)
        }
        group.post(RouterPath(DaemonRoutes.instanceTransfer.pattern)) { request, context in
            let outgoing = try await request.decodeJSON(as: OutgoingTransfer.self)
            return try JSONResponse.make(try await supervisor.sendTransfer(of: context.parameters.require("id"), outgoing))
        }
    }

    func addFileRoutes(to router: Router<Context>) {
        router.put(RouterPath(DaemonRoutes.transferFiles.pattern)) { request, context in
            let (transfer, token, sha256) = try Self.credentials(request, context)
            switch try await supervisor.receive(transfer, token: token, sha256: sha256, files: request.body) {
            case .arrived(let status): return try JSONResponse.make(status)
            case .copied(let manifest): return try JSONResponse.make(manifest)
            }
        }
        router.put(RouterPath(DaemonRoutes.transferChanges.pattern)) { request, context in
            let (transfer, token, sha256) = try Self.credentials(request, context)
            return try JSONResponse.make(try await supervisor.receiveChanges(transfer, token: token, sha256: sha256, files: request.body))
        }
    }

    /// The transfer a request names, the token it carries, and the SHA-256 it says its body has.
    private static func credentials(_ request: Request, _ context: Context) throws -> (String, String, String) {
        let transfer = try context.parameters.require("transfer")
        guard let token = request.bearerToken else { throw APIError(.unauthorized, "a transfer's files come with its token") }
        guard let name = HTTPField.Name(TransferHeaders.sha256), let sha256 = request.headers[name], Secrets.isGenerated(sha256.lowercased()) else {
            throw APIError(.badRequest, "\(TransferHeaders.sha256) must carry the SHA-256 of what is sent, in hex")
        }
        return (transfer, token, sha256.lowercased())
    }
}
