import BerthHTTP
import Hummingbird

/// `GET /api/nodes`, `POST /api/nodes/create`, `DELETE /api/nodes/delete`, and Berth's `PATCH /api/v1/nodes/{id}`.
struct NodeController<Context: PanelRequestContext>: Sendable {
    let nodes: NodeStore

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("nodes") { _, context in
            try context.grant.require(.read, on: .nodes)
            return try JSONResponse.make(try await nodes.all().map { NodeView($0, liveness: nodes.liveness) })
        }
        group.post("nodes/create") { request, context in
            try context.grant.require(.write, on: .nodes)
            let (node, credentials) = try await nodes.create(try nodes.newNode(from: try await RequestFields.read(request)))
            return try JSONResponse.make(
                CreatedNodeView(node: NodeView(node, liveness: nodes.liveness), configureCommand: nodes.configureCommand(credentials)),
                status: .created
            )
        }
        group.patch("v1/nodes/:id") { request, context in
            try context.grant.require(.write, on: .nodes)
            return try await withBerthStatuses {
                let node = try await nodes.update(try context.parameters.require("id"), with: try await RequestFields.read(request))
                return try JSONResponse.make(NodeView(node, liveness: nodes.liveness))
            }
        }
        group.delete("nodes/delete") { request, context in
            try context.grant.require(.write, on: .nodes)
            let fields = try await RequestFields.read(request)
            try await nodes.delete(try fields.string("nodeId"))
            return try JSONResponse.make(["Message": "the node was deleted"], status: .created)
        }
    }
}
