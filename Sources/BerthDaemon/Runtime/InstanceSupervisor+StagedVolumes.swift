import ConfinedFiles
import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

extension InstanceSupervisor {
    /// Replaces the instance's files with the archive's, whole, through a ``StagedVolume``: checked and
    /// unpacked where it counts against no instance's room, then swapped in. A refusal or a failure leaves
    /// the instance's files as they were. The instance must be stopped.
    func replaceFiles(of id: String, withArchiveAt archive: String, shown: String) async throws -> ArchiveSummary {
        guard let record = records[id] else { throw InstanceError.notFound(id: id) }
        let staged = try await stageVolume(of: id)
        do {
            let (path, owner) = (staged.path, (record.hostID, record.hostID))
            let limits = ExtractionLimits(maximumEntries: Self.restoredEntries, maximumBytes: staged.room)
            // The staged folder is opened here alone: an image cannot be unmounted for the swap while it is open.
            let summary = try await NIOThreadPool.singleton.runIfActive {
                try ConfinedDirectory(path: path, owner: owner).fill(withArchiveAt: archive, shown: shown, limits: limits)
            }
            let aside = asidePath(for: id)
            if case .folder = staged.disk {
                try await staged.swapIn(aside: aside)
            } else {
                // On the disk's queue: no mount or resize of the instance's disk meets the swap half-done.
                try await onDisk(of: id) { try await staged.swapIn(aside: aside) }
            }
            if FileManager.default.fileExists(atPath: aside) { removeInBackground(aside) }
            return summary
        } catch {
            await discardStagedVolume(at: staged.path)
            throw error
        }
    }

    /// Far more entries than a game's files have: a backup is the node's own archive, not a tenant's upload.
    static let restoredEntries = 2_000_000

    /// A staged volume for the instance: a disk image of its limit when it has a disk of its own, else a
    /// folder with room for the instance's limit (and no more than the host has). The instance's volume
    /// exists from here on, so its absence at a start says a swap was cut short between its renames.
    private func stageVolume(of id: String) async throws -> StagedVolume {
        guard let record = records[id] else { throw InstanceError.notFound(id: id) }
        let owner = record.hostID
        let volume = blueprint.volumePath(for: id)
        if mkdir(volume, 0o750) == 0 { _ = chown(volume, owner, owner) }
        let volumes = blueprint.configuration.volumesDirectory
        let path = StagedVolume.path(for: id, in: volumes)
        let limitBytes = record.specification.limits.diskMiB.map { Int64($0) << 20 }
        if disks.usesImages, let limitBytes {
            let staged = stagedImage(at: path)
            do {
                try await staged.create(limitBytes: limitBytes, owner: owner)
            } catch let failure as DiskFailure {
                _ = rmdir(path)
                throw failure.instanceError
            }
            return StagedVolume(path: path, volume: volume, disk: .image(staged: staged, own: disks.image(of: id)), room: limitBytes)
        }
        // The volumes folder itself is in no project: what it has free is the file system's.
        guard let free = HostResources.disk(at: volumes)?.available else {
            throw InstanceError.failed("the room left for the restored files cannot be read: \(String(cString: strerror(errno)))")
        }
        guard mkdir(path, 0o750) == 0 else {
            throw InstanceError.failed("a folder for the restored files could not be made: \(String(cString: strerror(errno)))")
        }
        _ = chown(path, owner, owner)
        let disk: StagedVolume.Disk = disks.quotas.map { .project($0, owner) } ?? .folder
        return StagedVolume(path: path, volume: volume, disk: disk, room: min(limitBytes ?? .max, free))
    }

    /// At start, before any disk is readied or old files removed: what whole restores the last run did not
    /// finish left beside the volumes is put right. A staging folder whose instance's volume is missing was
    /// cut short between its two renames: its files, whole by then, take the volume's place. Any other
    /// staging folder or image is removed: that restore had not begun to swap, so the old files are whole.
    func finishInterruptedSwaps() async {
        let volumes = blueprint.configuration.volumesDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: volumes) else { return }
        for name in names {
            guard let id = StagedVolume.instance(stagedAs: name) else { continue }
            let path = (volumes as NSString).appendingPathComponent(name)
            let volume = blueprint.volumePath(for: id)
            let said: String
            if records[id] != nil, !stagedImage(at: path).exists, !FileManager.default.fileExists(atPath: volume) {
                guard rename(path, volume) == 0 else {
                    logger.about(instance: id).error(
                        "instance \(id): a restore cut short could not be finished (\(String(cString: strerror(errno)))); its files are at \(path)"
                    )
                    continue
                }
                said = "a restore was cut short by the node's restart; it is finished now"
            } else {
                // An empty folder is what an image's swap leaves when cut short after the rename: nothing to say.
                let unpacked = stagedImage(at: path).exists || !((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).isEmpty
                await discardStagedVolume(at: path)
                guard unpacked else { continue }
                said = "files unpacked by a restore cut short by the node's restart were removed"
            }
            logger.about(instance: id).warning("instance \(id): \(said)")
            consoles[id]?.publishNotice(said)
        }
    }

    /// The disk image a staged volume at `path` has when its instance has a disk of its own.
    private func stagedImage(at path: String) -> DiskImage {
        DiskImage(imagePath: StagedVolume.imagePath(for: path, in: disks.imagesDirectory), mountPoint: path)
    }

    /// Removes the staged volume at `path`: its image unmounted and deleted, or its folder (uncounted first,
    /// with project quotas) in the background.
    private func discardStagedVolume(at path: String) async {
        let image = stagedImage(at: path)
        if image.exists || image.isMounted { try? await image.remove() } else { removeInBackground(path) }
    }
}
