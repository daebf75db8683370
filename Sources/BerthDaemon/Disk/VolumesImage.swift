import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One XFS image for all of a node's volumes, preallocated and loop-mounted with project quotas on the
/// volumes folder (``ProjectQuotas``): what the operator asks for with `--volumes-image SIZE` on a host
/// whose own disk keeps no project quotas. Made once, when the volumes folder is still empty (it would hide
/// the files there); mounted again at every start, before any instance uses its files.
struct VolumesImage: Sendable {
    /// Under the daemon's data directory, out of every container's reach.
    let imagePath: String
    /// The volumes folder.
    let mountPoint: String

    /// XFS's own minimum.
    static let smallestSize: Int64 = 300 << 20

    /// Mounts the image, made first with `sizeBytes` when there is none.
    func mount(makingIt sizeBytes: Int64) async throws {
        if DiskImage.isMountPoint(mountPoint) { return }
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let making = !FileManager.default.fileExists(atPath: imagePath)
        if making {
            guard ((try? FileManager.default.contentsOfDirectory(atPath: mountPoint)) ?? []).isEmpty else {
                throw DiskFailure.failed(
                    "\(mountPoint) already holds instances' files, which the image would hide; move them away, or run without --volumes-image"
                )
            }
            guard sizeBytes >= Self.smallestSize else { throw DiskFailure.failed("--volumes-image must be at least 300M (XFS's smallest)") }
            try FileManager.default.createDirectory(
                atPath: (imagePath as NSString).deletingLastPathComponent,
                withIntermediateDirectories: true
            )
            do {
                try DiskImage.preallocate(imagePath, size: sizeBytes)
                try await HostCommand.run("mkfs.xfs", ["-q", "-L", "berth", imagePath])
            } catch {
                try? FileManager.default.removeItem(atPath: imagePath)
                throw error
            }
        }
        do {
            try await HostCommand.run("mount", ["-t", "xfs", "-o", "loop,prjquota,nosuid,nodev,noatime", imagePath, mountPoint])
        } catch {
            // An image this kernel cannot mount with quotas is of no use to it; it would only hold its room.
            if making { try? FileManager.default.removeItem(atPath: imagePath) }
            throw DiskFailure.failed("the volumes image could not be mounted with project quotas: \(error)")
        }
    }
}
