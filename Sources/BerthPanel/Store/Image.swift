import FluentKit
import Foundation

/// An image users can deploy: the Skyport image JSON it was imported from, kept whole.
package final class Image: Model, @unchecked Sendable {
    package static let schema = "images"

    @ID(key: .id) package var id: UUID?
    @Field(key: "name") package var name: String
    @Field(key: "docker_image") package var dockerImage: String
    /// The image's JSON as imported (`Name`, `Image`, `Env`, `Scripts`, ...).
    @Field(key: "definition") package var definition: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    package init() {}

    init(name: String, dockerImage: String, definition: String) {
        self.name = name
        self.dockerImage = dockerImage
        self.definition = definition
    }

    /// The stored JSON read as a definition; nil when it does not read (it was checked at import).
    package var decodedDefinition: ImageDefinition? {
        try? JSONDecoder().decode(ImageDefinition.self, from: Data(definition.utf8))
    }
}
