import Foundation

/// The `berth` executable, as built beside the tests.
public enum BerthExecutable {
    public static var path: String { built("berth") }

    /// `berth-node`, the daemon alone, built beside `berth`.
    public static var nodePath: String { built("berth-node") }

    private static func built(_ name: String) -> String {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // The test bundle lives inside the build directory (or is the runner itself); the executables are beside it.
        for candidate in [directory, directory.deletingLastPathComponent(), directory.deletingLastPathComponent().deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return directory.appendingPathComponent(name).path
    }

    /// Runs `berth` with `arguments` (and `input` on its standard input) and waits for it.
    public static func run(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) async throws -> ChildProcess.Outcome {
        try await ChildProcess.run(path, arguments, environment: environment, input: input.map { .bytes(Data($0.utf8)) } ?? .nothing)
    }
}
