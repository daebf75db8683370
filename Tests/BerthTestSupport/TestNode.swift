import Foundation

/// Every node a test runs names itself `test-…` on the Docker engine, so `scripts/test` can tell the
/// tests' containers from anything else on a shared engine: it sweeps them before a run and fails a run
/// that leaves one behind.
public enum TestNode {
    public static let idPrefix = "test-"

    public static func newID() -> String {
        idPrefix + UUID().uuidString.lowercased()
    }

    /// Makes `dataDirectory` with a test node id in it, for a daemon or a `berth serve` started on it.
    public static func prepareDataDirectory(_ dataDirectory: String) throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let path = (dataDirectory as NSString).appendingPathComponent("node-id")
        if !FileManager.default.fileExists(atPath: path) {
            try Data(newID().utf8).write(to: URL(fileURLWithPath: path))
        }
    }
}
