import BerthHTTP
import Foundation
import Hummingbird

/// `GET /api/images`: every image, as its JSON definition with the panel's `Id`. Berth's additions import
/// one (Skyport's JSON or a Pterodactyl egg, as `berth image import` does) and delete one.
struct ImageController<Context: PanelRequestContext>: Sendable {
    let images: ImageStore
    let importer: ImageImporter

    /// Eggs are a few dozen KiB; the largest of the fixtures is under 40.
    static var largestDefinition: Int { 1 << 20 }

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("images") { _, context in
            try context.grant.require(.read, on: .images)
            return try JSONResponse.make(try await images.all().map(Self.view))
        }
        group.post("v1/images") { request, context in
            try context.grant.require(.write, on: .images)
            try context.grant.requireOperator("import images")
            let body = try await request.collectBody(maxBytes: Self.largestDefinition)
            guard !body.isEmpty else { throw APIError.badRequest("the body is empty; send an image's JSON or a Pterodactyl egg") }
            do {
                return try JSONResponse.make(Self.view(try await importer.importDefinition(body, source: "the image")), status: .created)
            } catch let error as ImageImportError {
                throw APIError.badRequest(error.description)
            }
        }
        group.delete("v1/images/:id") { _, context in
            try context.grant.require(.write, on: .images)
            try context.grant.requireOperator("delete images")
            return try await withBerthStatuses {
                guard let image = try await images.find(try context.parameters.require("id")) else {
                    throw PanelError.notFound("no image with that id")
                }
                try await images.delete(image)
                return Response(status: .noContent)
            }
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
