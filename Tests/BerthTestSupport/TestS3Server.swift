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
    public func runPython(_ script: String, input: Data) async throws -> String {
        let outcome = try await ChildProcess.run(
            python,
            [Self.repository.appendingPathComponent(script).path],
            input: .bytes(input),
            errors: .captured
        )
        guard outcome.succeeded else { throw TestFailure("\(script) exited with \(outcome.status): \(outcome.errors)") }
        return outcome.output
    }

    private static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}
