import BerthHTTP
import BerthPanel
import Foundation
import Hummingbird

/// `/admin/images`: every image; import one from its JSON, delete one no instance uses.
struct ImagesPage: Sendable {
    let pages: WebPages
    let images: ImageStore
    let importer: ImageImporter
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

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("images") { _, context in
            try await list(context: context)
        }
        group.post("images") { _, context in
            guard let json = context.form.optional("definition") else {
                return try await list(context: context, error: "Paste an image's JSON to import it.", status: .badRequest)
            }
            do {
                let image = try await importer.importDefinition(Data(json.utf8), source: "the pasted JSON")
                await audit.record("imported image", target: image.name, context: context)
                context.flash("Image \(image.name) was imported.")
                return WebResponse.redirect("/admin/images")
            } catch let error as ImageImportError {
                return try await list(context: context, definition: json, error: error.description, status: .badRequest)
            }
        }
        group.post("images/:id/delete") { _, context in
            guard let image = try await images.find(try context.parameters.require("id")) else {
                throw APIError.notFound("There is no such image.")
            }
            do {
                try await images.delete(image)
                await audit.record("deleted image", target: image.name, context: context)
                context.flash("Image \(image.name) was deleted.")
            } catch let error as PanelError {
                context.flash(error)
            }
            return WebResponse.redirect("/admin/images")
        }
    }

    private func list(
        context: WebRequestContext,
        definition: String = "",
        error: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let counts = try await images.instanceCounts()
        let rows = try await images.all().map { image in
            let definition = image.decodedDefinition
            return Row(
                id: image.id?.uuidString.lowercased() ?? "",
                name: image.name,
                dockerImage: image.dockerImage,
                description: definition?.description,
                variables: (definition?.variables ?? [:]).keys.sorted().joined(separator: ", "),
                instances: counts[image.id ?? UUID()] ?? 0
            )
        }
        return pages.render(
            "admin-images",
            title: "Images",
            content: Content(images: rows, definition: definition, error: error),
            context: context,
            status: status
        )
    }
}
