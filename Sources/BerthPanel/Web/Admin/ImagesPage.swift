import BerthHTTP
import FluentKit
import Foundation
import Hummingbird

/// `/admin/images`: every image; import one from its JSON, delete one no instance uses.
struct ImagesPage: Sendable {
    let pages: WebPages
    let images: ImageImporter
    let audit: AuditLog

    struct Row {
        let id: String
        let name: String
        let dockerImage: String
        let description: String?
        let variables: String
        let instances: Int
    }

    struct Content {
        let images: [Row]
        let definition: String
        let error: String?
    }

    func addRoutes(to group: RouterGroup<PanelRequestContext>) {
        group.get("images") { _, context in
            try await list(context: context)
        }
        group.post("images") { _, context in
            guard let json = context.form.optional("definition") else {
                return try await list(context: context, error: "Paste an image's JSON to import it.", status: .badRequest)
            }
            do {
                let image = try await images.importDefinition(Data(json.utf8), source: "the pasted JSON")
                await audit.record("imported image", target: image.name, context: context)
                context.flash("Image \(image.name) was imported.")
                return WebResponse.redirect("/admin/images")
            } catch let error as ImageImportError {
                return try await list(context: context, definition: json, error: error.description, status: .badRequest)
            }
        }
        group.post("images/:id/delete") { _, context in
            guard let uuid = UUID(uuidString: try context.parameters.require("id")), let image = try await Image.find(uuid, on: images.database.database) else {
                throw APIError.notFound("There is no such image.")
            }
            let users = try await Instance.query(on: images.database.database).filter(\.$image.$id == uuid).count()
            guard users == 0 else {
                context.flash("\(users) instance(s) run \(image.name); delete them first.", isError: true)
                return WebResponse.redirect("/admin/images")
            }
            try await image.delete(on: images.database.database)
            await audit.record("deleted image", target: image.name, context: context)
            context.flash("Image \(image.name) was deleted.")
            return WebResponse.redirect("/admin/images")
        }
    }

    private func list(context: PanelRequestContext, definition: String = "", error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let counts = Dictionary(grouping: try await Instance.query(on: images.database.database).all(), by: \.$image.id).mapValues(\.count)
        let rows = try await Image.query(on: images.database.database).sort(\.$name).all().map { image in
            let definition = try? JSONDecoder().decode(ImageDefinition.self, from: Data(image.definition.utf8))
            return Row(
                id: image.id?.uuidString.lowercased() ?? "", name: image.name, dockerImage: image.dockerImage,
                description: definition?.Description, variables: (definition?.Variables ?? [:]).keys.sorted().joined(separator: ", "),
                instances: counts[image.id ?? UUID()] ?? 0
            )
        }
        return pages.render("admin-images", title: "Images", content: Content(images: rows, definition: definition, error: error), context: context, status: status)
    }
}
