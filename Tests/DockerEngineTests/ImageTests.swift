import Testing

@testable import DockerEngine

@Suite("Images")
struct ImageTests {
    @Test("the test image is listed and inspected with its configuration")
    func inspectAndList() async throws {
        try await TestEngine.withEngine { docker in
            let image = try await docker.inspectImage(TestEngine.image)
            #expect(image.repositoryTags.contains(TestEngine.image))
            #expect(image.configuration?.command == ["sh"])
            #expect(image.size > 0)
            #expect(try await docker.hasImage(TestEngine.image))
            let images = try await docker.listImages()
            #expect(images.contains { $0.id == image.id })
        }
    }

    @Test("a missing image is not found, with Docker's message")
    func missingImage() async throws {
        try await TestEngine.withEngine { docker in
            #expect(try await docker.hasImage("berth-test/never-built:latest") == false)
            do {
                _ = try await docker.inspectImage("berth-test/never-built:latest")
                Issue.record("inspecting a missing image succeeded")
            } catch let DockerEngineError.notFound(message) {
                #expect(message.contains("berth-test/never-built"))
            }
        }
    }

    @Test("a pull from a registry that does not answer fails with a typed error naming it")
    func failedPull() async throws {
        try await TestEngine.withEngine { docker in
            do {
                try await docker.pullImage("127.0.0.1:1/berth-test/nothing:latest").finish()
                Issue.record("a pull from a closed port succeeded")
            } catch let error as DockerEngineError {
                switch error {
                case .pullFailed(_, let message), .unexpectedStatus(_, let message), .notFound(let message):
                    #expect(message.contains("127.0.0.1:1"))
                default:
                    Issue.record("unexpected error \(error)")
                }
            }
        }
    }

    @Test("image references split into name and tag as the engine expects")
    func referenceSplitting() {
        #expect(DockerEngine.split(reference: "busybox") == ("busybox", "latest"))
        #expect(DockerEngine.split(reference: "ghcr.io/a/b:1.2") == ("ghcr.io/a/b", "1.2"))
        #expect(DockerEngine.split(reference: "localhost:5000/a/b") == ("localhost:5000/a/b", "latest"))
        #expect(DockerEngine.split(reference: "a/b@sha256:abc") == ("a/b", "sha256:abc"))
    }
}
