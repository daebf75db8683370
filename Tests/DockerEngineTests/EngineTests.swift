import DockerEngine
import Testing

@Suite("The engine itself")
struct EngineTests {
    @Test("ping, version and info come from the real engine")
    func versionAndInfo() async throws {
        try await TestEngine.withEngine { docker in
            try await docker.ping()
            #expect(await docker.isReachable())
            let version = try await docker.version()
            #expect(!version.version.isEmpty)
            let apiParts = version.apiVersion.split(separator: ".").compactMap { Int($0) }
            #expect(apiParts.count == 2 && (apiParts[0], apiParts[1]) >= (1, 41), "engine API \(version.apiVersion) is older than ours")
            let info = try await docker.info()
            #expect(info.processorCount > 0)
            #expect(info.memoryTotal > 64 * 1024 * 1024)
            #expect(info.serverVersion == version.version)
        }
    }

    @Test("an engine that does not answer is reported as unavailable, with where we looked")
    func unavailableEngine() async throws {
        let docker = DockerEngine(host: .unixSocket(path: "/nonexistent/berth-test/docker.sock"))
        defer { Task { try? await docker.shutdown() } }
        #expect(await docker.isReachable() == false)
        do {
            try await docker.ping()
            Issue.record("ping succeeded against a socket that does not exist")
        } catch let DockerEngineError.engineUnavailable(host, reason) {
            #expect(host == "unix:///nonexistent/berth-test/docker.sock")
            #expect(!reason.isEmpty)
        }
        await #expect(throws: DockerEngineError.self) {
            try await docker.withAttachment(to: "anything") { _, _ in () }
        }
    }

    @Test("DOCKER_HOST is read the way Docker's own tools read it")
    func dockerHostParsing() {
        #expect(DockerHost.fromEnvironment(["DOCKER_HOST": "unix:///run/x.sock"]) == .unixSocket(path: "/run/x.sock"))
        #expect(DockerHost.fromEnvironment(["DOCKER_HOST": "tcp://127.0.0.1:2375"]) == .tcp(host: "127.0.0.1", port: 2375))
        #expect(DockerHost.fromEnvironment([:]) == .unixSocket(path: "/var/run/docker.sock"))
        #expect(DockerHost(parsing: "tcp://host") == nil)
        #expect(DockerHost(parsing: "unix://relative.sock") == nil)
        #expect(DockerHost(parsing: "ssh://user@host") == nil)
    }
}
