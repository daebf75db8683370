import FluentKit
import Foundation
import SQLKit

/// The images in the database, for listing and deleting; ``ImageImporter`` adds and replaces them.
package struct ImageStore: Sendable {
    let database: PanelDatabase

    package func all() async throws -> [Image] {
        try await Image.query(on: database.db()).sort(\.$name).all()
    }

    package func find(_ id: String) async throws -> Image? {
        guard let uuid = UUID(uuidString: id) else { return nil }
        return try await Image.find(uuid, on: database.db())
    }

    /// Deletes an image no instance runs.
    package func delete(_ image: Image) async throws {
        let users = try await Instance.query(on: database.db()).filter(\.$image.$id == image.requireID()).count()
        guard users == 0 else { throw PanelError.conflict("\(users) instance(s) run \(image.name); delete them first") }
        try await image.delete(on: database.db())
    }

    /// How many instances run each image; counted in the database.
    package func instanceCounts() async throws -> [UUID: Int] {
        try await database.sql().raw("SELECT image_id AS key, COUNT(*) AS count FROM instances GROUP BY image_id")
            .all(decoding: GroupCount<UUID>.self)
            .reduce(into: [:]) { $0[$1.key] = $1.count }
    }
}
