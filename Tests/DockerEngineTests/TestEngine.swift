import BerthTestSupport
import DockerEngine
import Foundation
import Testing

/// The real Docker engine the tests run against: the one `DOCKER_HOST` names, as `scripts/test` sets it.
enum TestEngine {
    static let image = TestImage.name
    /// Every container a test makes carries it, so `scripts/test` can sweep up after a crashed run.
    static let label = "berth.test"

    static func withEngine<Result>(_ body: (DockerEngine) async throws -> Result) async throws -> Result {
        let docker = DockerEngine(host: .fromEnvironment(ProcessInfo.processInfo.environment))
        do {
            let result = try await body(docker)
            try await docker.shutdown()
            return result
        } catch {
            try? await docker.shutdown()
            throw error
        }
    }

    static func uniqueName(_ purpose: String) -> String {
        "berth-test-\(purpose)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Creates a container from the test image, runs `body`, then removes it whatever happened.
    static func withContainer<Result>(
        _ docker: DockerEngine,
        purpose: String,
        command: [String],
        tty: Bool = false,
        openStdin: Bool = false,
        stdinOnce: Bool = false,
        hostConfiguration: HostConfiguration = HostConfiguration(),
        labels: [String: String] = [:],
        environment: [String]? = nil,
        _ body: (_ id: String, _ name: String) async throws -> Result
    ) async throws -> Result {
        let name = uniqueName(purpose)
        let created = try await docker.createContainer(
            named: name,
            ContainerSpecification(
                image: image,
                command: command,
                environment: environment,
                labels: labels.merging([label: "1"]) { mine, _ in mine },
                tty: tty,
                openStdin: openStdin,
                stdinOnce: stdinOnce,
                hostConfiguration: hostConfiguration
            )
        )
        do {
            let result = try await body(created.id, name)
            try? await docker.removeContainer(created.id, force: true)
            return result
        } catch {
            try? await docker.removeContainer(created.id, force: true)
            throw error
        }
    }
}

/// Reads chunks until the text seen so far satisfies `done`, and returns it; nil if the stream ended first.
func readUntil<Output: AsyncSequence>(
    _ output: Output,
    _ done: (String) -> Bool
) async throws -> String? where Output.Element == OutputChunk {
    var seen = ""
    for try await chunk in output {
        seen += chunk.text
        if done(seen) { return seen }
    }
    return nil
}
