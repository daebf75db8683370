import BerthHTTP
import BerthPanel
import Foundation
import Hummingbird

/// `GET /static/:file`: the web UI's own CSS and JavaScript, read once at start and served from memory.
struct StaticAssets: Sendable {
    private let files: [String: (contentType: String, body: ByteBuffer)]

    /// Throws when the files cannot be read: a panel without its stylesheet and scripts is broken.
    init() throws {
        let folder = WebPages.resourceFolder.appendingPathComponent("static")
        var files: [String: (String, ByteBuffer)] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            guard let type = Self.contentTypes[(name as NSString).pathExtension] else { continue }
            files[name] = (type, ByteBuffer(bytes: try Data(contentsOf: folder.appendingPathComponent(name))))
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
