extension DockerEngine {
    /// Checks that the engine answers; throws ``DockerEngineError/engineUnavailable(host:reason:)`` when it does not.
    public func ping() async throws {
        let response = try await send(.GET, "/_ping", deadline: .seconds(5))
        let body = String(decoding: try await collect(response.body), as: UTF8.self)
        guard body == "OK" else {
            throw DockerEngineError.malformedResponse(reason: "ping answered \(body.prefix(80))")
        }
    }

    /// Whether the engine answers at all.
    public func isReachable() async -> Bool {
        (try? await ping()) != nil
    }

    public func version() async throws -> EngineVersion {
        try await decode(EngineVersion.self, .GET, "/version")
    }

    public func info() async throws -> EngineInfo {
        try await decode(EngineInfo.self, .GET, "/info")
    }
}
