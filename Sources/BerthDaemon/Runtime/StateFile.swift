import Foundation

/// The daemon's own state on disk: one JSON file, replaced whole on every change so it is never half-written.
struct StateFile: Sendable {
    let path: String

    init(dataDirectory: String) {
        path = (dataDirectory as NSString).appendingPathComponent("daemon-state.json")
    }

    func load() throws -> [InstanceRecord] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONDecoder().decode([InstanceRecord].self, from: data)
    }

    func save(_ records: [InstanceRecord]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(records.sorted { $0.id < $1.id })
        // Written beside the old file, then renamed over it: a crash leaves one or the other, never a mix.
        try data.write(to: URL(fileURLWithPath: path), options: [.atomic])
        chmod(path, 0o600)
    }
}
