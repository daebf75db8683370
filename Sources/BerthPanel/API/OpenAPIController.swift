import BerthHTTP
import Foundation
import Hummingbird

/// `GET /api/openapi.json`: the OpenAPI 3 document that describes the whole API.
struct OpenAPIController<Context: PanelRequestContext>: Sendable {
    func addRoutes(to group: RouterGroup<Context>) {
        group.get("openapi.json") { _, _ in
            guard let document = EmbeddedResources.data("openapi.json") else {
                throw APIError(.internalServerError, "the OpenAPI document is missing from this build")
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
    }
}
