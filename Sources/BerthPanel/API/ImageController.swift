import BerthHTTP
import FluentKit
import Foundation
import Hummingbird

/// `GET /api/images`: every image, as its JSON definition with the panel's `Id`.
struct ImageController: Sendable {
    let database: PanelDatabase

    func addRoutes(to group: RouterGroup<PanelRequestContext>) {
        group.get("images") { _, _ in
            let images = try await Image.query(on: database.database).sort(\.$name).all()
            return try JSONResponse.make(images.map(Self.view))
        }
    }

    static func view(_ image: Image) -> JSONValue {
        guard case .object(var object) = (try? JSONDecoder().decode(JSONValue.self, from: Data(image.definition.utf8))) else {
            return .object(["Id": .string(image.id?.uuidString.lowercased() ?? ""), "Name": .string(image.name), "Image": .string(image.dockerImage)])
        }
        object["Id"] = .string(image.id?.uuidString.lowercased() ?? "")
        return .object(object)
    }
}
