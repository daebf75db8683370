import FluentKit
import Foundation

/// An image users can deploy: the Skyport image JSON it was imported from, kept whole.
final class Image: Model, @unchecked Sendable {
    static let schema = "images"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "docker_image") var dockerImage: String
    /// The image's JSON as imported (`Name`, `Image`, `Env`, `Scripts`, ...).
    @Field(key: "definition") var definition: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(name: String, dockerImage: String, definition: String) {
        self.name = name
        self.dockerImage = dockerImage
        self.definition = definition
    }
}
