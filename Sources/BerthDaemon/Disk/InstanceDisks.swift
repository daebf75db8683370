import BerthProtocol
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How a node keeps instances within their disk limits (``DiskLimitSupport``), found out once when the
/// daemon starts: a project quota per instance folder on a volumes file system that keeps them
/// (``ProjectQuotas``), else a disk image per instance with a limit (``DiskImage``).
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
        self.imagesDirectory = Self.imagesDirectory(in: dataDirectory)
        self.volumesDirectory = volumesDirectory
    }

    private static func imagesDirectory(in dataDirectory: String) -> String {
        (dataDirectory as NSString).appendingPathComponent("disks")
    }

    /// The volumes' project quotas, in that mode.
    nonisolated var quotas: ProjectQuotas? {
        support.mode == .projectQuota ? ProjectQuotas(volumesDirectory: volumesDirectory) : nil
    }

    /// Whether limited instances get disk images of their own.
    nonisolated var usesImages: Bool { support.mode == .imagePerInstance }

    nonisolated func image(of id: String) -> DiskImage {
        DiskImage(
            imagePath: (imagesDirectory as NSString).appendingPathComponent("\(id).ext4"),
            mountPoint: (volumesDirectory as NSString).appendingPathComponent(id)
        )
    }

    /// Runs `work` on `id`'s disk after whatever was queued for it before.
    func exclusively<Result: Sendable>(_ id: String, _ work: @escaping @Sendable () async throws -> Result) async throws -> Result {
        guard support.enforces else { throw DiskFailure.failed("this node cannot enforce disk limits: \(support.detail)") }
        let previous = queues[id]
        let task = Task {
            await previous?.value
            return try await work()
        }
        queues[id] = Task { _ = try? await task.value }
        return try await task.value
    }

    /// What each mounted disk image's files take, at once (`statvfs`); instances whose disk is not
    /// mounted are left out.
    nonisolated func imageUsage(of limits: [String: Int]) -> [String: DiskUsage] {
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

    /// Finds out how this node can keep instances within disk limits. Project quotas when the volumes'
    /// file system keeps them: an XFS file system the operator mounted there with `prjquota`, or the node's
    /// volumes image (`volumesImageBytes`, made and mounted here). Else an image per limited instance, when
    /// the daemon runs as root, the kernel has loop devices and ext4, and the tools are installed: a small
    /// image is made, mounted and removed to be sure, so a node never accepts a limit it would not enforce.
    static func detectSupport(dataDirectory: String, volumesDirectory: String, volumesImageBytes: Int64? = nil) async -> DiskLimitSupport {
        guard geteuid() == 0 else {
            return DiskLimitSupport(mode: .unavailable, detail: "the daemon does not run as root, which mounting a disk image needs")
        }
        var withoutQuotas = ""
        if let volumesImageBytes {
            let image = VolumesImage(
                imagePath: (imagesDirectory(in: dataDirectory) as NSString).appendingPathComponent("volumes.xfs"),
                mountPoint: volumesDirectory
            )
            do {
                try await image.mount(makingIt: volumesImageBytes)
            } catch {
                withoutQuotas = "the volumes image could not be used (\(error)); "
            }
        }
        try? FileManager.default.createDirectory(atPath: volumesDirectory, withIntermediateDirectories: true)
        switch ProjectQuotas.state(at: volumesDirectory) {
        case .success:
            return DiskLimitSupport(
                mode: .projectQuota,
                detail:
                    "the volumes' file system keeps project quotas: each instance's folder is a project with its limit, which changes while it runs"
            )
        case .failure(let reason):
            if volumesImageBytes != nil, withoutQuotas.isEmpty { withoutQuotas = "\(reason) (does the kernel have XFS quotas?); " }
        }
        guard FileManager.default.fileExists(atPath: "/dev/loop-control") else {
            return DiskLimitSupport(mode: .unavailable, detail: withoutQuotas + "the kernel offers no loop devices (/dev/loop-control is missing)")
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
                detail: withoutQuotas + "a test disk image could not be made and mounted (are e2fsprogs and mount installed?): \(error)"
            )
        }
        return DiskLimitSupport(
            mode: .imagePerInstance,
            detail: withoutQuotas
                + "each instance with a limit gets an ext4 image of its own, preallocated and loop-mounted; limits change while it is stopped"
        )
    }
}
