/// One sample from `GET /containers/{id}/stats`.
public struct ContainerStats: Sendable, Decodable {
    public let read: String
    public let cpu: CPUSample
    public let previousCPU: CPUSample
    public let memory: MemorySample
    public let networks: [String: NetworkSample]?
    public let processes: ProcessSample?

    public struct CPUSample: Sendable, Decodable {
        public let totalUsage: Int64
        public let systemUsage: Int64?
        public let onlineCPUs: Int?

        enum CodingKeys: String, CodingKey {
            case cpuUsage = "cpu_usage"
            case systemUsage = "system_cpu_usage"
            case onlineCPUs = "online_cpus"
        }

        enum UsageKeys: String, CodingKey {
            case totalUsage = "total_usage"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            // The first sample of a stream has an empty previous sample.
            let usage = try? container.nestedContainer(keyedBy: UsageKeys.self, forKey: .cpuUsage)
            totalUsage = try usage?.decodeIfPresent(Int64.self, forKey: .totalUsage) ?? 0
            systemUsage = try container.decodeIfPresent(Int64.self, forKey: .systemUsage)
            onlineCPUs = try container.decodeIfPresent(Int.self, forKey: .onlineCPUs)
        }
    }

    public struct MemorySample: Sendable, Decodable {
        public let usage: Int64?
        public let limit: Int64?
        let details: [String: Int64]?

        enum CodingKeys: String, CodingKey {
            case usage, limit
            case details = "stats"
        }

        /// Memory in use without the page cache, as `docker stats` shows it.
        public var workingSet: Int64 {
            let cache = details?["inactive_file"] ?? details?["total_inactive_file"] ?? 0
            return max(0, (usage ?? 0) - cache)
        }
    }

    public struct NetworkSample: Sendable, Decodable {
        public let receivedBytes: Int64
        public let transmittedBytes: Int64

        enum CodingKeys: String, CodingKey {
            case receivedBytes = "rx_bytes"
            case transmittedBytes = "tx_bytes"
        }
    }

    public struct ProcessSample: Sendable, Decodable {
        public let current: Int?
    }

    enum CodingKeys: String, CodingKey {
        case read
        case cpu = "cpu_stats"
        case previousCPU = "precpu_stats"
        case memory = "memory_stats"
        case networks
        case processes = "pids_stats"
    }

    /// CPU use since the previous sample, in percent of one core (200 = two cores busy), as `docker stats` computes it.
    public var cpuPercent: Double {
        let cpuDelta = Double(cpu.totalUsage - previousCPU.totalUsage)
        let systemDelta = Double((cpu.systemUsage ?? 0) - (previousCPU.systemUsage ?? 0))
        guard cpuDelta > 0, systemDelta > 0 else { return 0 }
        return cpuDelta / systemDelta * Double(cpu.onlineCPUs ?? 1) * 100
    }

    public var receivedBytes: Int64 { networks?.values.reduce(0) { $0 + $1.receivedBytes } ?? 0 }
    public var transmittedBytes: Int64 { networks?.values.reduce(0) { $0 + $1.transmittedBytes } ?? 0 }
}
