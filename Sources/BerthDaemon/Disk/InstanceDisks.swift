import BerthProtocol
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The disks of a node's instances with a disk limit (``DiskImage``), and how the node enforces limits
/// (``DiskLimitSupport``), found out once when the daemon starts.
///
/// Work on one instance's disk runs one piece at a time (a start that mounts never meets a resize that
/// has it unmounted); different instances' disks are independent.
actor InstanceDisks {
    nonisolated let support: DiskLimitSupport
    /// Where the images live: beside the volumes, never inside one.
    nonisolated let imagesDirectory: String
    nonisolated let volumesDirectory: String
    /// The last piece of work queued for each instance's disk.
    private var queues: [String: Task<Void, Never>] = [:]

    init(support: DiskLimitSupport, dataDirectory: String, volumesDirectory: String) {
        self.support = support
        self.imagesDirectory = (dataDirectory as NSString).appendingPathComponent("disks")
        self.volumesDirectory = volumesDirectory
    }

    nonisolated func image(of id: String) -> DiskImage {
        DiskImage(
            imagePath: (imagesDirectory as NSString).appendingPathComponent("\(id).ext4"),
            mountPoint: (volumesDirectory as NSString).appendingPathComponent(id)
        )
    }

    /// Runs `work` on `id`'s disk after whatever was queued for it before.
    func exclusively<Result: Sendable>(_ id: String, _ work: @escaping @Sendable (DiskImage) async throws -> Result) async throws -> Result {
        guard support.enforces else { throw DiskImage.Failure.failed("this node cannot enforce disk limits: \(support.detail)") }
        let previous = queues[id]
        let image = image(of: id)
        let task = Task {
            await previous?.value
            return try await work(image)
        }
        queues[id] = Task { _ = try? await task.value }
        return try await task.value
    }

    /// What each mounted disk's files take, at once (`statvfs`); instances whose disk is not mounted are
    /// left out.
    nonisolated func usage(of limits: [String: Int]) -> [String: DiskUsage] {
        limits.reduce(into: [:]) { usage, entry in
            guard let measured = image(of: entry.key).usage else { return }
            usage[entry.key] = DiskUsage(
                usedBytes: measured.used,
                limitBytes: Int64(entry.value) << 20,
                availableBytes: measured.total - measured.used
            )
        }
    }

    // MARK: - What the node offers

    /// Finds out whether this node can keep instances within disk limits: the daemon runs as root, the
    /// kernel has loop devices and ext4, and the tools are installed. A small image is made, mounted and
    /// removed to be sure, so a node never accepts a limit it would not enforce.
    static func detectSupport(dataDirectory: String) async -> DiskLimitSupport {
        guard geteuid() == 0 else {
            return DiskLimitSupport(mode: .unavailable, detail: "the daemon does not run as root, which mounting a disk image needs")
        }
        guard FileManager.default.fileExists(atPath: "/dev/loop-control") else {
            return DiskLimitSupport(mode: .unavailable, detail: "the kernel offers no loop devices (/dev/loop-control is missing)")
        }
        let probe = (dataDirectory as NSString).appendingPathComponent("disks/.probe-\(UUID().uuidString.prefix(8))")
        let image = DiskImage(imagePath: probe + ".ext4", mountPoint: probe)
        do {
            try await image.create(limitBytes: 1 << 20, owner: 0)
            try await image.remove()
        } catch {
            try? await image.remove()
            return DiskLimitSupport(
                mode: .unavailable,
                detail: "a test disk image could not be made and mounted (are e2fsprogs and mount installed?): \(error)"
            )
        }
        return DiskLimitSupport(
            mode: .imagePerInstance,
            detail: "each instance with a limit gets an ext4 image of its own, preallocated and loop-mounted; limits change while it is stopped"
        )
    }
}
