import Foundation

/// The node's own capacity, read from the kernel: what heartbeats report, and what `berth serve`
/// registers its local node with.
public struct HostResources: Sendable {
    public var cores = ProcessInfo.processInfo.activeProcessorCount
    public var memoryTotalBytes: Int64 = 0
    public var memoryAvailableBytes: Int64 = 0
    public var diskTotalBytes: Int64 = 0
    public var diskAvailableBytes: Int64 = 0

    /// Reads memory from `/proc/meminfo` and disk from the file system that holds `directory`.
    public static func read(diskAt directory: String) -> HostResources {
        var resources = HostResources()
        if let meminfo = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) {
            for line in meminfo.split(separator: "\n") {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count >= 2, let kibibytes = Int64(fields[1]) else { continue }
                switch fields[0] {
                case "MemTotal:": resources.memoryTotalBytes = kibibytes * 1024
                case "MemAvailable:": resources.memoryAvailableBytes = kibibytes * 1024
                default: break
                }
            }
        }
        if let disk = disk(at: directory) {
            resources.diskTotalBytes = disk.total
            resources.diskAvailableBytes = disk.available
        }
        return resources
    }

    /// The size of the file system that holds `path`, what it has free for unprivileged users, and what
    /// its files take; nil when it cannot be read.
    static func disk(at path: String) -> (total: Int64, available: Int64, used: Int64)? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        let blockSize = Int64(stats.f_frsize)
        return (
            Int64(stats.f_blocks) * blockSize,
            Int64(stats.f_bavail) * blockSize,
            (Int64(stats.f_blocks) - Int64(stats.f_bfree)) * blockSize
        )
    }
}
