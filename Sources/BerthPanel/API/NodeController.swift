import BerthHTTP
import Hummingbird

/// `GET /api/nodes`, `POST /api/nodes/create`, `DELETE /api/nodes/delete`.
struct NodeController<Context: PanelRequestContext>: Sendable {
    let nodes: NodeStore

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("nodes") { _, _ in
            try JSONResponse.make(try await nodes.all().map { NodeView($0) })
        }
        group.post("nodes/create") { request, _ in
            let (node, credentials) = try await nodes.create(try NewNode(try await RequestFields.read(request)))
            return try JSONResponse.make(
                CreatedNodeView(node: NodeView(node), configureCommand: nodes.configureCommand(credentials)),
                status: .created
            )
        }
        group.delete("nodes/delete") { request, _ in
            let fields = try await RequestFields.read(request)
            try await nodes.delete(try fields.string("nodeId"))
            return try JSONResponse.make(["Message": "the node was deleted"], status: .created)
        }
    }
}
