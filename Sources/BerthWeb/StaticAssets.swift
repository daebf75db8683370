import BerthHTTP
import BerthPanel
import Foundation
import Hummingbird

/// `GET /static/:file`: the web UI's own CSS and JavaScript, built into the binary and served from memory.
struct StaticAssets: Sendable {
    private let files: [String: (contentType: String, body: ByteBuffer)]

    init() {
        var files: [String: (String, ByteBuffer)] = [:]
        for path in EmbeddedResources.paths(under: "web/static") {
            guard let type = Self.contentTypes[(path as NSString).pathExtension], let data = EmbeddedResources.data(path) else { continue }
            files[(path as NSString).lastPathComponent] = (type, ByteBuffer(bytes: data))
        }
        self.files = files
    }

    static let contentTypes = ["css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "svg": "image/svg+xml"]

    func addRoutes(to router: Router<WebRequestContext>) {
        router.get("static/:file") { _, context in
            guard let file = files[try context.parameters.require("file")] else {
                throw APIError.notFound("no such file")
            }
            return Response(
                status: .ok,
                headers: [.contentType: file.contentType, .cacheControl: "no-cache", .xContentTypeOptions: "nosniff"],
                body: .init(byteBuffer: file.body)
            )
        }
    }
}
