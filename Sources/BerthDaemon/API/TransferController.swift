import BerthHTTP
import BerthProtocol
import Hummingbird

/// The daemon's transfer routes. Preparing to receive and sending are the panel's to ask, behind the node
/// token; the files themselves come from the sending node with the transfer's single-use token instead,
/// so ``addFileRoute(to:)`` goes outside the node token's group.
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

    func addFileRoute(to router: Router<Context>) {
        router.put(RouterPath(DaemonRoutes.transferFiles.pattern)) { request, context in
            let transfer = try context.parameters.require("transfer")
            guard let token = request.bearerToken else { throw APIError(.unauthorized, "a transfer's files come with its token") }
            guard let sha256 = request.headers[values: .init(TransferHeaders.sha256)!].first, sha256.utf8.count == 64 else {
                throw APIError(.badRequest, "\(TransferHeaders.sha256) must carry the archive's SHA-256 in hex")
            }
            return try JSONResponse.make(try await supervisor.receive(transfer, token: token, sha256: sha256.lowercased(), files: request.body))
        }
    }
}
