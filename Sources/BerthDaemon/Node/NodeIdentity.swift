import Foundation

/// A node's lasting name on its Docker engine: made once, kept in `node-id` in the data directory.
public enum NodeIdentity {
    /// Reads the node's id, or makes and saves a new one; throws when it can be neither read nor saved,
    /// since a node whose id changes at each start would take its own containers for strangers'.
    public static func loadOrCreate(in dataDirectory: String) throws -> String {
        let path = (dataDirectory as NSString).appendingPathComponent("node-id")
        if FileManager.default.fileExists(atPath: path) {
            let saved = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            if !saved.isEmpty { return saved }
        }
        let id = UUID().uuidString.lowercased()
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        try Data(id.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        return id
    }
}
