import BerthProtocol
import DockerEngine
import Foundation

/// One run of an instance's container: attach (before starting, so no output is lost), start, pass
/// output and stats to the console, notice the ready pattern, and report how the run ended.
struct ContainerSession: Sendable {
    let instanceID: String
    let containerID: String
    let session: UUID
    let readyPatterns: [String]
    let docker: DockerEngine
    let console: ConsoleHub
    let supervisor: InstanceSupervisor

    /// Resumes `started` once the container runs, or with the error that kept it from running.
    func run(startContainer: Bool, started: CheckedContinuation<Void, any Error>) async {
        var pendingStart: CheckedContinuation<Void, any Error>? = started
        do {
            if !startContainer {
                // Reattaching after a daemon restart: show what the instance wrote meanwhile.
                var recent = ""
                for try await chunk in try await docker.containerLogs(containerID, tail: console.replayLines) {
                    recent += chunk.text
                }
                if !recent.isEmpty { console.publishOutput(recent) }
            }
            var startNow = startContainer
            while true {
                try await docker.withAttachment(to: containerID) { output, input in
                    await supervisor.sessionAttached(instanceID, session: session, input: input)
                    if startNow {
                        try await docker.startContainer(containerID)
                    }
                    pendingStart?.resume()
                    pendingStart = nil
                    try? await pump(output)
                }
                // The attachment ended. While the container still runs, it was the connection that dropped
                // (an engine restarting its API, a proxy between): attach again, or the console goes deaf.
                guard !Task.isCancelled, try await docker.inspectContainer(containerID).state.running else { break }
                startNow = false
                try await Task.sleep(for: .milliseconds(200))
                console.publishNotice("the connection to the container dropped; reattached")
            }
        } catch {
            if let pendingStart {
                pendingStart.resume(throwing: error)
                return
            }
        }
        if let pendingStart {
            pendingStart.resume()
        }
        // A daemon shutting down cancels its sessions; the containers run on, and the next daemon reattaches.
        guard !Task.isCancelled else { return }
        let state = try? await docker.waitForContainer(containerID)
        let inspection = try? await docker.inspectContainer(containerID)
        guard !Task.isCancelled else { return }
        await supervisor.sessionEnded(
            instanceID,
            session: session,
            exitCode: state?.statusCode ?? inspection?.state.exitCode,
            killedForMemory: inspection?.state.killedForMemory ?? false
        )
    }

    /// Passes output to the console until the container stops, with stats alongside.
    private func pump<Output: AsyncSequence>(_ output: Output) async throws where Output.Element == OutputChunk {
        var detector = ReadyDetector(patterns: readyPatterns)
        if detector.isReadyAtStart {
            await supervisor.sessionReady(instanceID, session: session)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await streamStats() }
            var ready = detector.isReadyAtStart
            var reassemblers: [OutputChunk.Stream: UTF8Reassembler] = [:]
            for try await chunk in output {
                let text = reassemblers[chunk.stream, default: UTF8Reassembler()].text(from: chunk.bytes)
                guard !text.isEmpty else { continue }
                console.publishOutput(text)
                if !ready, detector.feed(text) {
                    ready = true
                    await supervisor.sessionReady(instanceID, session: session)
                }
            }
            group.cancelAll()
        }
    }

    /// How often a session without viewers looks whether one came.
    static let viewerCheckInterval = Duration.seconds(1)

    /// Streams stats to the console while someone watches it, and only then: the samples go nowhere else.
    /// Streaming for every running instance all the time cost each one a Docker connection, a JSON sample a
    /// second to decode and the engine's work to make it (see docs/performance.md).
    private func streamStats() async {
        while !Task.isCancelled {
            if console.viewerCount > 0 {
                await streamStatsWhileWatched()
            }
            try? await Task.sleep(for: Self.viewerCheckInterval)
        }
    }

    private func streamStatsWhileWatched() async {
        do {
            for try await sample in try await docker.containerStats(containerID) {
                console.publish(ConsoleMessage(event: .stats, stats: ResourceSample(sample)))
                // The last viewer left: end the stream (the next sample arrives within a second to notice).
                if console.viewerCount == 0 { return }
            }
        } catch {
            // Stats end with the container, or with the session.
        }
    }
}
