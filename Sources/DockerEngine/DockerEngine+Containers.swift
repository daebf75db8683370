import AsyncHTTPClient
import Foundation
import NIOCore

extension DockerEngine {
    /// Creates a container; it does not start it. Either the caller gets the container or none is left:
    /// Docker finishes a create it has received whether or not anyone still waits for the answer, so a
    /// cancelled caller does not abandon the request (a container would appear after it gave up, known to
    /// no one) but waits for it in a task of its own and removes what it made.
    public func createContainer(named name: String? = nil, _ specification: ContainerSpecification) async throws -> CreatedContainer {
        let creation = Task {
            try await decode(
                CreatedContainer.self,
                .POST,
                "/containers/create",
                query: name.map { [("name", $0)] } ?? [],
                body: specification
            )
        }
        let created = try await creation.value
        if Task.isCancelled {
            let removal = Task { try await removeContainer(created.id, force: true) }
            _ = await removal.result
            throw CancellationError()
        }
        return created
    }

    /// Starts a container. Starting one that already runs is not an error.
    public func startContainer(_ id: String) async throws {
        try await perform(.POST, "/containers/\(escaped(id))/start")
    }

    /// Asks a container to stop with its stop signal, and kills it after `timeout`.
    /// Stopping one that is not running is not an error.
    public func stopContainer(_ id: String, timeout: Duration? = nil) async throws {
        let seconds = timeout.map { Int($0.components.seconds) }
        try await perform(
            .POST,
            "/containers/\(escaped(id))/stop",
            query: seconds.map { [("t", String($0))] } ?? [],
            deadline: requestDeadline + .seconds(Int64(seconds ?? 10))
        )
    }

    /// Restarts a container, killing it if it does not stop within `timeout`.
    public func restartContainer(_ id: String, timeout: Duration? = nil) async throws {
        let seconds = timeout.map { Int($0.components.seconds) }
        try await perform(
            .POST,
            "/containers/\(escaped(id))/restart",
            query: seconds.map { [("t", String($0))] } ?? [],
            deadline: requestDeadline + .seconds(Int64(seconds ?? 10))
        )
    }

    /// Sends a signal to a running container's main process. Throws ``DockerEngineError/conflict(message:)`` when it does not run.
    public func killContainer(_ id: String, signal: String = "SIGKILL") async throws {
        try await perform(.POST, "/containers/\(escaped(id))/kill", query: [("signal", signal)])
    }

    /// Removes a container; `force` kills it first if it runs, `removeVolumes` also removes its anonymous volumes.
    public func removeContainer(_ id: String, force: Bool = false, removeVolumes: Bool = false) async throws {
        try await perform(
            .DELETE,
            "/containers/\(escaped(id))",
            query: [("force", force.queryValue), ("v", removeVolumes.queryValue)]
        )
    }

    public func inspectContainer(_ id: String) async throws -> ContainerInspection {
        try await decode(ContainerInspection.self, .GET, "/containers/\(escaped(id))/json")
    }

    /// Lists containers, stopped ones included unless `all` is false, that carry every label given
    /// (`key` or `key=value`).
    public func listContainers(all: Bool = true, labels: [String] = []) async throws -> [ContainerSummary] {
        var query = [("all", all.queryValue)]
        if !labels.isEmpty { query.append(filtersQuery(["label": labels])) }
        return try await decode([ContainerSummary].self, .GET, "/containers/json", query: query)
    }

    /// What ``waitForContainer(_:until:)`` waits for.
    public enum WaitCondition: String, Sendable {
        /// Returns at once if the container is not running.
        case notRunning = "not-running"
        /// Waits for the next exit, even of a container that has not started yet.
        case nextExit = "next-exit"
        /// Waits until the container is removed.
        case removed
    }

    /// Waits, for as long as it takes, until the container meets `condition`, and returns how it exited.
    public func waitForContainer(_ id: String, until condition: WaitCondition = .notRunning) async throws -> ContainerExit {
        let response = try await send(.POST, "/containers/\(escaped(id))/wait", query: [("condition", condition.rawValue)])
        let bytes = try await collect(response.body)
        do {
            return try JSONDecoder.docker.decode(ContainerExit.self, from: Data(bytes))
        } catch {
            throw DockerEngineError.malformedResponse(reason: "wait: \(error)")
        }
    }

    /// Changes the limits of a container, running or not.
    public func updateContainer(_ id: String, limits: ContainerLimits) async throws {
        try await perform(.POST, "/containers/\(escaped(id))/update", body: limits)
    }

    /// The output a container wrote, stdout and stderr apart. With `follow` the sequence goes on
    /// until the container stops or the caller stops reading.
    public func containerLogs(
        _ id: String,
        tail: Int? = nil,
        follow: Bool = false
    ) async throws -> ContainerOutput<HTTPClientResponse.Body.AsyncIterator> {
        let isMultiplexed = try await !inspectContainer(id).configuration.tty
        let response = try await send(
            .GET,
            "/containers/\(escaped(id))/logs",
            query: [
                ("stdout", "1"), ("stderr", "1"), ("follow", follow.queryValue),
                ("tail", tail.map(String.init) ?? "all"),
            ]
        )
        return ContainerOutput(bytes: response.body.makeAsyncIterator(), isMultiplexed: isMultiplexed)
    }

    /// A container's resource use, one sample about every second while it runs.
    public func containerStats(_ id: String) async throws -> JSONLines<ContainerStats, HTTPClientResponse.Body.AsyncIterator> {
        let response = try await send(.GET, "/containers/\(escaped(id))/stats", query: [("stream", "1")])
        return JSONLines(bytes: response.body.makeAsyncIterator())
    }

    /// One sample of a container's resource use.
    public func containerStatsSnapshot(_ id: String) async throws -> ContainerStats {
        try await decode(ContainerStats.self, .GET, "/containers/\(escaped(id))/stats", query: [("stream", "0")])
    }

    /// A path segment, escaped so an id or name can never change the route.
    func escaped(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? segment
    }
}

/// Limits that can change while a container exists.
public struct ContainerLimits: Sendable, Codable, Equatable {
    public var memory: Int64?
    public var memorySwap: Int64?
    public var nanoCpus: Int64?
    public var pidsLimit: Int64?

    public init(memory: Int64? = nil, memorySwap: Int64? = nil, nanoCpus: Int64? = nil, pidsLimit: Int64? = nil) {
        self.memory = memory
        self.memorySwap = memorySwap
        self.nanoCpus = nanoCpus
        self.pidsLimit = pidsLimit
    }

    enum CodingKeys: String, CodingKey {
        case memory = "Memory"
        case memorySwap = "MemorySwap"
        case nanoCpus = "NanoCpus"
        case pidsLimit = "PidsLimit"
    }
}
