import BerthProtocol
import DockerEngine
import Foundation

extension InstanceSupervisor {
    /// How long one round of samples answers again: however many lists ask, Docker is asked once.
    static let usageFreshness = Duration.seconds(2)

    /// The latest resource use of every running instance, by id: one sample from Docker for each, in
    /// parallel, taken at most once every ``usageFreshness``. An instance whose sample fails is left out.
    /// When its container started is asked of Docker once a run, not every round.
    func usage() async -> [String: ResourceSample] {
        if let last = lastUsage, ContinuousClock.now - last.at < Self.usageFreshness { return last.samples }
        if let round = usageRound { return await round.value }
        let running = records.values.filter { $0.lifecycle.power == .running || $0.lifecycle.power == .starting }
            .compactMap { record in
                record.containerID.map { container in
                    let known = startMoments[record.id].flatMap { $0.session == record.lifecycle.session ? $0.at : nil }
                    return (id: record.id, container: container, session: record.lifecycle.session, started: known)
                }
            }
        let round = Task { [docker] in
            await withTaskGroup(of: (String, ResourceSample?).self) { group in
                for instance in running {
                    group.addTask {
                        async let inspection = instance.started == nil ? try? docker.inspectContainer(instance.container) : nil
                        guard let stats = try? await docker.containerStatsSnapshot(instance.container) else { return (instance.id, nil) }
                        var sample = ResourceSample(stats)
                        let inspected = await inspection
                        sample.startedAt = instance.started ?? inspected.flatMap { Self.moment($0.state.startedAt) }?.timeIntervalSince1970
                        return (instance.id, sample)
                    }
                }
                var samples: [String: ResourceSample] = [:]
                for await (id, sample) in group { samples[id] = sample }
                return samples
            }
        }
        usageRound = round
        let samples = await round.value
        usageRound = nil
        lastUsage = (.now, samples)
        startMoments = running.reduce(into: [:]) { moments, instance in
            if let session = instance.session, let at = samples[instance.id]?.startedAt { moments[instance.id] = (session, at) }
        }
        return samples
    }
}

extension InstanceSupervisor {
    /// A moment as Docker writes it (RFC 3339 in UTC, often with nanoseconds), to the second.
    static func moment(_ text: String) -> Date? {
        guard text.count >= 19 else { return nil }
        let format = ISO8601DateFormatter()
        format.formatOptions = [.withInternetDateTime]
        return format.date(from: text.prefix(19) + "Z")
    }
}

extension ResourceSample {
    /// What the console and the lists show of one Docker sample.
    init(_ stats: ContainerStats) {
        self.init(
            cpuPercent: stats.cpuPercent,
            memoryBytes: stats.memory.workingSet,
            memoryLimitBytes: stats.memory.limit ?? 0,
            networkReceivedBytes: stats.receivedBytes,
            networkTransmittedBytes: stats.transmittedBytes
        )
    }
}
