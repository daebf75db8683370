import BerthProtocol
import ConfinedFiles
import Foundation
import NIOPosix

extension InstanceSupervisor {
    var backups: BackupArchives { BackupArchives(directory: blueprint.configuration.backupsDirectory) }

    /// Writes a backup of the instance's volume while it runs on, or, with `stopFirst`, stopped for it and
    /// started again after; one at a time per instance.
    func backUp(_ id: String, as backup: String, stopFirst: Bool = false) async throws -> BackupSummary {
        let files = try await volumeFiles(of: id)
        guard backupsUnderWay[id] == nil else { throw BackupError.busy("a backup of this instance is being made already") }
        let meter = BackupMeter(backup: backup, total: diskUsage()[id]?.usedBytes ?? 0)
        backupsUnderWay[id] = meter
        defer { backupsUnderWay[id] = nil }
        var wasRunning = false
        if stopFirst, let record = records[id], !record.lifecycle.isStopped {
            wasRunning = true
            consoles[id]?.publishNotice("stopping for backup \(backup)")
            sendStop(try change(id) { try $0.lifecycle.requestStop(kill: false) }, to: id)
            try await waitUntilStopped(id, grace: .seconds(record.specification.image.stopTimeoutSeconds), for: "the backup was not made")
        }
        let archives = backups
        do {
            let summary = try await NIOThreadPool.singleton.runIfActive { try archives.write(backup, of: id, from: files, progress: meter) }
            await startAgain(id, if: wasRunning)
            return summary
        } catch {
            await startAgain(id, if: wasRunning)
            throw error
        }
    }

    /// How far the backup `backup` of the instance has come, while it is being made.
    func progress(of backup: String, of id: String) throws -> BackupProgress {
        guard let meter = backupsUnderWay[id], meter.backup == backup else { throw BackupError.missing("\(backup) being made") }
        return meter.progress
    }

    /// Sends parts of the backup's archive to object storage with the requests the panel signed.
    func upload(_ backup: String, of id: String, parts: [BackupUpload.Part]) async throws -> BackupUploadAnswer {
        _ = try await status(of: id)
        let archive = try backups.open(backup, of: id)
        return BackupUploadAnswer(etags: try await BackupTransfers(http: .shared).upload(archive, parts: parts))
    }

    /// Restores a backup kept in object storage: its archive is fetched (at most `size` bytes) beside the
    /// node's own backups, restored from as they are, and removed again, restored or not.
    func restore(
        _ path: String?,
        into id: String,
        from backup: String,
        sha256: String,
        fetching source: ObjectRequest,
        size: Int64
    ) async throws
        -> ArchiveSummary
    {
        if let refusal = fileRefusal(of: id) { throw refusal }
        let archives = backups
        let writer = try archives.beginFetch(backup, of: id)
        try await BackupTransfers(http: .shared).fetch(source, into: writer, limit: size)
        try writer.commit()
        defer { try? archives.remove(backup, of: id) }
        if let path { return try await restore(path, into: id, from: backup, sha256: sha256) }
        return try await restore(id, from: backup, sha256: sha256)
    }

    /// Replaces the volume's contents with the backup's, once its archive has the checksum recorded when
    /// it was made. A missing, damaged or foreign backup is refused before anything stops. Otherwise the
    /// instance stops, the archive is checked and unpacked into a staged volume where it counts against no
    /// instance's room, and only then swapped in (``replaceFiles(of:withArchiveAt:shown:)``): a backup that
    /// fits the instance's limit restores however full the instance is. It starts again if it was running.
    func restore(_ id: String, from backup: String, sha256: String) async throws -> ArchiveSummary {
        if let refusal = fileRefusal(of: id) { throw refusal }
        guard let record = records[id] else { throw InstanceError.notFound(id: id) }
        let archive = try await checkedArchive(backup, of: id, sha256: sha256)
        try await mountDisk(of: id)
        let (wasRunning, stop) = try change(id) { try $0.lifecycle.requestRestore() }
        let summary: ArchiveSummary
        do {
            sendStop(stop, to: id)
            try await waitUntilStopped(id, grace: .seconds(record.specification.image.stopTimeoutSeconds), for: "the backup was not restored")
            summary = try await replaceFiles(of: id, withArchiveAt: archive, shown: "backup \(backup)")
        } catch {
            note(id) { $0.lifecycle.restoreFinished() }
            await startAgain(id, if: wasRunning)
            throw error
        }
        note(id) { $0.lifecycle.restoreFinished() }
        consoles[id]?.publishNotice("backup \(backup) restored")
        await startAgain(id, if: wasRunning)
        return summary
    }

    /// Restores only the file or folder at `path` from the backup, replacing what is there, while the
    /// instance runs on: as an upload would, and with the same refusals.
    func restore(_ path: String, into id: String, from backup: String, sha256: String) async throws -> ArchiveSummary {
        let files = try await volumeFiles(of: id)
        let archive = try await checkedArchive(backup, of: id, sha256: sha256)
        let limits = try restoreLimits(of: id)
        return try await NIOThreadPool.singleton.runIfActive {
            try files.restore(path, fromArchiveAt: archive, shown: "backup \(backup)", limits: limits)
        }
    }

    /// After a restart: a restore the last run did not finish (it crashed, the machine lost power) is put
    /// right before anything uses the files, the old files back or the new ones whole, and said on the console.
    func finishInterruptedRestores() {
        for (id, record) in records where record.lifecycle.activity != .deleting {
            let volume = blueprint.volumePath(for: id)
            guard FileManager.default.fileExists(atPath: volume) else { continue }
            do {
                for outcome in try ConfinedDirectory(path: volume, owner: (record.hostID, record.hostID)).finishInterruptedReplacement() {
                    let said =
                        switch outcome {
                        case .rolledBack: "a restore was cut short by the node's restart; the files are as they were before it"
                        case .completed: "a restore was cut short by the node's restart; it is finished now"
                        case .stagingRemoved: "files unpacked by a restore cut short by the node's restart were removed"
                        }
                    logger.about(instance: id).warning("instance \(id): \(said)")
                    consoles[id]?.publishNotice(said)
                }
            } catch {
                logger.about(instance: id).error("instance \(id): a restore cut short could not be put right: \(error)")
            }
        }
    }

    /// Where the backup's archive is, once its checksum is the one recorded when it was made.
    private func checkedArchive(_ backup: String, of id: String, sha256: String) async throws -> String {
        let archives = backups
        return try await NIOThreadPool.singleton.runIfActive { try archives.checkedPath(of: backup, of: id, sha256: sha256) }
    }

    /// As many entries as a whole restore, and no more bytes than the instance's files have room for.
    func restoreLimits(of id: String) throws -> ExtractionLimits {
        ExtractionLimits(maximumEntries: Self.restoredEntries, maximumBytes: try roomForFiles(of: id))
    }

    func startAgain(_ id: String, if wasRunning: Bool) async {
        guard wasRunning else { return }
        do {
            try await start(id)
        } catch {
            logger.about(instance: id).warning("instance \(id) did not start again after a backup's stop: \(InstanceError.describe(error))")
            consoles[id]?.publishNotice("not started again: \(InstanceError.describe(error))")
        }
    }

    /// Waits for a stop that was sent: its own kill comes after `grace`, so past that and a margin the
    /// container is taken to be stuck.
    func waitUntilStopped(_ id: String, grace: Duration, for outcome: String) async throws {
        let deadline = ContinuousClock.now + grace + .seconds(30)
        while records[id]?.lifecycle.isStopped == false {
            guard ContinuousClock.now < deadline else {
                throw InstanceError.engine("the instance did not stop within \(grace) and 30 s, so \(outcome)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
