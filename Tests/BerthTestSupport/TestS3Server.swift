import Foundation

/// The S3-compatible server `scripts/test` starts for the backup tests (moto, signature checks on;
/// scripts/lib/s3.sh), and the Python beside it whose botocore is the reference SigV4 signer.
public struct TestS3Server: Sendable {
    public let endpoint: String
    public let bucket: String
    public let accessKeyID: String
    public let secretAccessKey: String
    public let python: String

    public static func fromEnvironment() throws -> TestS3Server {
        let environment = ProcessInfo.processInfo.environment
        func value(_ name: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else {
                throw TestFailure("\(name) is not set: scripts/test starts the test S3 server and sets it (scripts/lib/s3.sh)")
            }
            return value
        }
        return TestS3Server(
            endpoint: try value("BERTH_TEST_S3_ENDPOINT"),
            bucket: try value("BERTH_TEST_S3_BUCKET"),
            accessKeyID: try value("BERTH_TEST_S3_ACCESS_KEY_ID"),
            secretAccessKey: try value("BERTH_TEST_S3_SECRET_ACCESS_KEY"),
            python: try value("BERTH_TEST_S3_PYTHON")
        )
    }

    /// Runs `script` (a path from the repository's root) with the server's Python, `input` on its
    /// standard input; what it printed.
    public func runPython(_ script: String, input: Data) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Self.repository.appendingPathComponent(script).path]
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let printed = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let complaints = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("\(script) exited with \(process.terminationStatus): \(complaints)") }
        return printed
    }

    private static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}
