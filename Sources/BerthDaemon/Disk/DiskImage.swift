import ConfinedFiles
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One instance's files on a file system of their own: an ext4 image file, preallocated, loop-mounted on
/// the instance's volume folder. Nothing the container does changes the image's size, so a write past
/// the limit gets ENOSPC from the kernel at once, wherever it comes from (the server, an upload, an
/// extraction), and the node's other instances never notice.
///
/// The image is made a little larger than the limit, so that what the file system keeps for itself
/// (journal, inode tables) leaves the limit usable; `df` in the container shows what it has.
struct DiskImage: Sendable {
    /// The image file, under the daemon's data directory, out of every container's reach.
    let imagePath: String
    /// The instance's volume folder, where the image is mounted.
    let mountPoint: String

    var exists: Bool { FileManager.default.fileExists(atPath: imagePath) }

    /// Whether a file system is mounted on the volume folder: the folder sits on another device than
    /// its parent.
    var isMounted: Bool { Self.isMountPoint(mountPoint) }

    static func isMountPoint(_ path: String) -> Bool {
        var folder = stat()
        var parent = stat()
        guard stat(path, &folder) == 0, stat((path as NSString).deletingLastPathComponent, &parent) == 0 else { return false }
        return folder.st_dev != parent.st_dev
    }

    /// Makes the image for `limitBytes` of files owned by `owner`, and mounts it.
    func create(limitBytes: Int64, owner: UInt32) async throws {
        try makeMountPoint()
        let size = Self.firstGuess(for: limitBytes)
        do {
            try preallocate(size)
            try await HostCommand.run(
                "mkfs.ext4",
                ["-q", "-F", "-m", "0", "-L", "berth", "-E", "root_owner=\(owner):\(owner),nodiscard", imagePath]
            )
            try await fit(limitBytes: limitBytes, size: size)
            try await mount()
            _ = chmod(mountPoint, 0o750)
        } catch {
            try? FileManager.default.removeItem(atPath: imagePath)
            throw error
        }
    }

    /// Mounts the image on the volume folder, unless it is already. Refuses what `mount` would take from
    /// the files: set-id programs and device files.
    func mount() async throws {
        guard !isMounted else { return }
        try makeMountPoint()
        for attempt in 1...3 {
            do {
                try await HostCommand.run("mount", ["-t", "ext4", "-o", "loop,nosuid,nodev,noatime", imagePath, mountPoint])
                break
            } catch {
                // Two mounts at once can be handed the same free loop device; the one that lost tries again.
                if isMounted { break }
                guard attempt < 3 else { throw DiskFailure.failed("the instance's disk could not be mounted: \(error)") }
                try await Task.sleep(for: .milliseconds(100 * attempt))
            }
        }
        // mkfs's lost+found is root's: it would show in the file manager as a folder nobody may open.
        _ = rmdir((mountPoint as NSString).appendingPathComponent("lost+found"))
    }

    /// Unmounts the image; `lazily` detaches it even while files are open (for a deletion, which may not
    /// wait on a download), the kernel letting go once they close.
    func unmount(lazily: Bool = false) async throws {
        if isMounted {
            do {
                try await HostCommand.run("umount", lazily ? ["-l", mountPoint] : [mountPoint])
            } catch {
                throw DiskFailure.failed("the instance's disk could not be unmounted (is a file of it still open?): \(error)")
            }
        }
        if !lazily { try await detachLoopDevices() }
    }

    /// Waits until no loop device holds the image. The kernel lets one go a moment after its unmount (on a
    /// busy machine, seconds after); a mount meanwhile would be handed the same device, with what it cached
    /// of the image before a resize.
    private func detachLoopDevices() async throws {
        for _ in 0..<500 {
            // One line per device: "/dev/loop3: [2049]:1234 (/path/to/image)".
            let listed = try await HostCommand.run("losetup", ["-j", imagePath])
            let devices = listed.split(separator: "\n").compactMap { $0.split(separator: ":").first.map(String.init) }
            guard !devices.isEmpty else { return }
            for device in devices { _ = try? await HostCommand.run("losetup", ["-d", device]) }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw DiskFailure.failed("the instance's disk image is still held by a loop device")
    }

    /// Gives the image room for `limitBytes`: grown, or shrunk when its files fit in the new limit, and
    /// mounted again. It must not be in use (its instance stopped); a shrink its files do not fit in
    /// changes nothing.
    func resize(toLimit limitBytes: Int64) async throws {
        try await mount()
        guard let usage else { throw DiskFailure.failed("the image's room could not be read") }
        if usage.used > limitBytes { throw DiskFailure.filesTooLarge(for: limitBytes) }
        // What the file system keeps for itself now (its journal stays as it is), over the new limit.
        let target = Self.roundedToMiB(limitBytes + max(try fileSize() - usage.total, 0))
        try await unmount()
        do {
            try await check()
            if target > (try fileSize()) {
                try preallocate(target)
                try await HostCommand.run("resize2fs", ["-f", imagePath])
            } else {
                // Forced: resize2fs's own minimum is a rough guess, often half again what the files take.
                // Where they do not fit after all, it stops before moving anything.
                try await HostCommand.run("resize2fs", ["-f", imagePath, "\(target / 1024)K"])
                guard truncate(imagePath, off_t(target)) == 0 else { throw DiskFailure.failed("the image could not be shrunk: \(Self.lastError)") }
            }
            try await fit(limitBytes: limitBytes, size: target)
        } catch {
            try? await check()
            try? await mount()
            throw error is DiskFailure ? error : DiskFailure.failed("the instance's disk could not be resized: \(error)")
        }
        try await mount()
    }

    /// Moves the files of the plain folder at the mount point onto a new image of `limitBytes`, mounted in
    /// its place; the old folder is moved to `aside`, for the caller to remove. Files that do not fit
    /// change nothing.
    func adoptFiles(limitBytes: Int64, owner: UInt32, aside: String) async throws {
        // The files against the limit itself, as a resize counts them: the new file system may have a
        // little more room than that.
        let needed = (try? ConfinedDirectory(path: mountPoint).allocatedBytes()) ?? 0
        guard needed <= limitBytes else {
            throw DiskFailure.filesTooLarge(for: limitBytes)
        }
        let staging = DiskImage(imagePath: imagePath, mountPoint: Self.beside(mountPoint, "disk"))
        try await staging.create(limitBytes: limitBytes, owner: owner)
        do {
            try await Self.copyFiles(from: mountPoint, to: staging.mountPoint, limitBytes: limitBytes)
            try await staging.unmount()
            try Self.rename(mountPoint, to: aside)
        } catch {
            try? await staging.remove()
            throw error
        }
        _ = rmdir(staging.mountPoint)
        do {
            try await mount()
        } catch {
            _ = rmdir(mountPoint)
            try? Self.rename(aside, to: mountPoint)
            try? FileManager.default.removeItem(atPath: imagePath)
            throw error
        }
    }

    /// Moves the files off the image into a plain folder in its place, owned by `owner`, and deletes the
    /// image; the host's disk is then the files' only limit. Files the host has no room for change nothing.
    func releaseFiles(owner: UInt32) async throws {
        try await mount()
        let staging = Self.beside(mountPoint, "files")
        guard mkdir(staging, 0o750) == 0 else { throw DiskFailure.failed("a folder for the files could not be made: \(Self.lastError)") }
        do {
            try await Self.copyFiles(from: mountPoint, to: staging, limitBytes: nil)
            _ = lchown(staging, owner, owner)
            try await unmount()
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        _ = rmdir(mountPoint)
        do {
            try Self.rename(staging, to: mountPoint)
        } catch {
            try? await mount()
            throw error
        }
        try? FileManager.default.removeItem(atPath: imagePath)
    }

    /// Copies everything in `source` into `target` as it is: links as links (never followed), owners,
    /// modes and times kept. A full target is `tooSmall` when it has a limit.
    private static func copyFiles(from source: String, to target: String, limitBytes: Int64?) async throws {
        do {
            try await HostCommand.run("cp", ["-a", "--no-dereference", source + "/.", target])
        } catch let failure as HostCommand.Failure where failure.output.contains("No space left") {
            guard let limitBytes else { throw DiskFailure.noRoom("the node has no room for the instance's files outside its disk") }
            throw DiskFailure.filesTooLarge(for: limitBytes)
        } catch {
            throw DiskFailure.failed("the instance's files could not be copied: \(error)")
        }
    }

    /// A hidden name beside `path` for work in progress (instance ids start with a letter or digit).
    private static func beside(_ path: String, _ purpose: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        return (folder as NSString).appendingPathComponent(".\(name).\(purpose)-\(UUID().uuidString.prefix(8))")
    }

    private static func rename(_ path: String, to newPath: String) throws {
        guard Glibc.rename(path, newPath) == 0 else { throw DiskFailure.failed("\(path) could not be moved: \(lastError)") }
    }

    /// Unmounts (lazily) and deletes the image, and the volume folder it was mounted on.
    func remove() async throws {
        try await unmount(lazily: true)
        if exists {
            do {
                try FileManager.default.removeItem(atPath: imagePath)
            } catch {
                throw DiskFailure.failed("the instance's disk image could not be removed: \(error.localizedDescription)")
            }
        }
        _ = rmdir(mountPoint)
    }

    /// What the files take and the room they have in all; nil while the image is not mounted.
    var usage: (used: Int64, total: Int64)? {
        guard isMounted, let disk = HostResources.disk(at: mountPoint) else { return nil }
        return (disk.used, disk.used + disk.available)
    }

    // MARK: - Size

    /// An image size a little short of what leaves `limitBytes` usable, for ``fit(limitBytes:size:)`` to
    /// grow by what is missing: ext4 keeps a journal (up to 1 GiB on large file systems), inode tables
    /// (1/64 of the size) and a reserve out of what users get. A guess that went over would give the
    /// instance more than its limit.
    static func firstGuess(for limitBytes: Int64) -> Int64 {
        roundedToMiB(limitBytes + limitBytes / 32)
    }

    /// Grows the unmounted image of `size` bytes until at least `limitBytes` are usable on it (the first
    /// guess falls short for some sizes, by a journal's step).
    private func fit(limitBytes: Int64, size: Int64) async throws {
        var size = size
        for _ in 0..<4 {
            let usable = try await capacity()
            guard usable < limitBytes else { return }
            let shortfall = limitBytes - usable
            // A bigger file system keeps a little more for itself: a sixteenth more than what is missing.
            size = Self.roundedToMiB(size + shortfall + shortfall / 16)
            try preallocate(size)
            try await check()
            try await HostCommand.run("resize2fs", ["-f", imagePath])
        }
        throw DiskFailure.failed("the image could not be given \(limitBytes >> 20) MiB of room")
    }

    /// What an unprivileged user's files may take of the unmounted image, those there already included:
    /// mounted for a moment to ask the kernel.
    private func capacity() async throws -> Int64 {
        try await mount()
        let usage = self.usage
        try await unmount()
        guard let usage else { throw DiskFailure.failed("the image's room could not be read") }
        return usage.total
    }

    /// `e2fsck`, which `resize2fs` wants first; its status 1 means it corrected something, which is fine.
    private func check() async throws {
        do {
            try await HostCommand.run("e2fsck", ["-f", "-y", imagePath])
        } catch let failure as HostCommand.Failure where failure.status == 1 {
            return
        }
    }

    /// Reserves `size` bytes for the image on the host's disk now: a sparse image on a host that fills up
    /// loses the instance's writes silently, where this fails at once and says why.
    private func preallocate(_ size: Int64) throws { try Self.preallocate(imagePath, size: size) }

    static func preallocate(_ imagePath: String, size: Int64) throws {
        let descriptor = open(imagePath, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw DiskFailure.failed("the image could not be made: \(lastError)") }
        defer { close(descriptor) }
        let status = posix_fallocate(descriptor, 0, off_t(size))
        // EFBIG: larger than the host's file system allows one file to be (16 TiB on ext4).
        if status == ENOSPC || status == EFBIG {
            throw DiskFailure.noRoom("the node has no room for a disk of \(size >> 20) MiB")
        }
        guard status == 0 else { throw DiskFailure.failed("the image could not be allocated: \(String(cString: strerror(status)))") }
    }

    private func fileSize() throws -> Int64 {
        var info = stat()
        guard stat(imagePath, &info) == 0 else { throw DiskFailure.failed("the image cannot be read: \(Self.lastError)") }
        return Int64(info.st_size)
    }

    /// The empty folder the image is mounted on: root's, and closed to everyone, so an instance whose
    /// image is not mounted writes nowhere rather than unlimited onto the host's disk.
    private func makeMountPoint() throws {
        let folders = [(imagePath as NSString).deletingLastPathComponent, (mountPoint as NSString).deletingLastPathComponent]
        for folder in folders {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        if mkdir(mountPoint, 0) != 0 && errno != EEXIST {
            throw DiskFailure.failed("the instance's volume folder could not be made: \(Self.lastError)")
        }
        if !isMounted { _ = chmod(mountPoint, 0) }
    }

    private static func roundedToMiB(_ bytes: Int64) -> Int64 { ((bytes + (1 << 20) - 1) >> 20) << 20 }

    private static var lastError: String { String(cString: strerror(errno)) }
}
