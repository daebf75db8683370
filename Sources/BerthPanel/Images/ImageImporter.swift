import BerthHTTP
import FluentKit
import Foundation
import Hummingbird

/// Imports image JSON files (Skyport's format, or Pterodactyl eggs, which become it) into the database: from the repository's `images/` folder at first start,
/// and one at a time with `berth image import FILE`. An image with the same name is replaced.
package struct ImageImporter: Sendable {
    let database: PanelDatabase

    @discardableResult
    func importFile(at path: String) async throws -> Image {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ImageImportError("\(path) cannot be read: \(error.localizedDescription)")
        }
        return try await importDefinition(data, source: path)
    }

    @discardableResult
    package func importDefinition(_ data: Data, source: String) async throws -> Image {
        let definition: ImageDefinition
        var stored = data
        if Egg.isEgg(data) {
            let egg: Egg
            do {
                egg = try Request.decodeJSON(as: Egg.self, from: data)
            } catch let error as APIError {
                throw ImageImportError("\(source) is not a Pterodactyl egg Berth can read: \(error.message)")
            }
            definition = try ImageDefinition(egg: egg)
            // Kept as Berth's own image JSON, which every other part reads.
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            stored = try encoder.encode(definition)
        } else {
            do {
                definition = try Request.decodeJSON(as: ImageDefinition.self, from: data)
            } catch let error as APIError {
                // Said in words (a field missing, of the wrong type), never as a Swift decoding error.
                throw ImageImportError("\(source) is neither a Skyport image JSON nor a Pterodactyl egg: \(error.message)")
            }
        }
        if let problem = definition.problem { throw ImageImportError("\(source): \(problem)") }
        let image =
            try await Image.query(on: database.db()).filter(\.$name == definition.name).first()
            ?? Image(name: definition.name, dockerImage: definition.image, definition: "")
        image.dockerImage = definition.image
        image.definition = String(decoding: stored, as: UTF8.self)
        try await image.save(on: database.db())
        return image
    }

    /// Imports every `*.json` in `directory`; returns how many.
    func importDirectory(_ directory: String) async throws -> Int {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ImageImportError("the images folder \(directory) cannot be read: \(error.localizedDescription)")
        }
        var count = 0
        for file in files.sorted() where file.hasSuffix(".json") {
            try await importFile(at: (directory as NSString).appendingPathComponent(file))
            count += 1
        }
        return count
    }
}

package struct ImageImportError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}
