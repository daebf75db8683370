import BerthHTTP
import BerthProtocol
import Hummingbird

/// `GET /api/system`: what this node is and whether its Docker engine answers.
struct SystemController<Context: RequestContext>: Sendable {
    let source: NodeInfoSource

    func addRoutes(to group: RouterGroup<Context>) {
        group.get(RouterPath(DaemonRoutes.system.pattern)) { _, _ in
            try JSONResponse.make(await source.nodeInfo())
        }
    }
}
