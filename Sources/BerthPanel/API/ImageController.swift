import BerthHTTP
import Foundation
import Hummingbird

/// `GET /api/images`: every image, as its JSON definition with the panel's `Id`.
struct ImageController<Context: PanelRequestContext>: Sendable {
    let images: ImageStore

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("images") { _, context in
            try context.grant.require(.read, on: .images)
            return try JSONResponse.make(try await images.all().map(Self.view))
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
