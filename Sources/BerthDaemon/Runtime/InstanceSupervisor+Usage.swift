import BerthProtocol
import DockerEngine
import Foundation

extension InstanceSupervisor {
    /// How long one round of samples answers again: however many lists ask, Docker is asked once.
    static let usageFreshness = Duration.seconds(2)

    /// The latest resource use of every running instance, by id: one sample from Docker for each, in
    /// parallel, taken at most once every ``usageFreshness``. An instance whose sample fails is left out.
    func usage() async -> [String: ResourceSample] {
        if let last = lastUsage, ContinuousClock.now - last.at < Self.usageFreshness { return last.samples }
        if let round = usageRound { return await round.value }
        let running = records.values.filter { $0.lifecycle.power == .running || $0.lifecycle.power == .starting }
            .compactMap { record in record.containerID.map { (record.id, $0) } }
        let round = Task { [docker] in
            await withTaskGroup(of: (String, ResourceSample?).self) { group in
                for (id, container) in running {
                    group.addTask {
                        async let inspection = try? docker.inspectContainer(container)
                        guard let stats = try? await docker.containerStatsSnapshot(container) else { return (id, nil) }
                        var sample = ResourceSample(stats)
                        sample.startedAt = await inspection.flatMap { Self.moment($0.state.startedAt) }?.timeIntervalSince1970
                        return (id, sample)
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
