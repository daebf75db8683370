import Foundation

/// The `berth` executable, as built beside the tests.
public enum BerthExecutable {
    public static var path: String {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // The test bundle lives inside the build directory (or is the runner itself); `berth` is beside it.
        for candidate in [directory, directory.deletingLastPathComponent(), directory.deletingLastPathComponent().deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("berth").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return directory.appendingPathComponent("berth").path
    }

    public struct Outcome {
        public let status: Int32
        public let output: String
        public var lastLine: String { output.split(separator: "\n").last.map(String.init) ?? "" }
    }

    /// Runs `berth` with `arguments` (and `input` on its standard input) and waits for it.
    public static func run(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) async throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let standardInput = Pipe()
        process.standardInput = standardInput
        try process.run()
        if let input { standardInput.fileHandleForWriting.write(Data(input.utf8)) }
        try standardInput.fileHandleForWriting.close()
        let data = try await Task.detached { try pipe.fileHandleForReading.readToEnd() ?? Data() }.value
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
