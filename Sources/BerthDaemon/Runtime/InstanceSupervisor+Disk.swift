import BerthProtocol
import ConfinedFiles
import Foundation
import NIOPosix

extension InstanceSupervisor {
    /// Refuses a disk limit this node cannot keep, before anything is made for it.
    func checkDiskLimit(_ limits: ResourceLimits) throws {
        guard limits.diskMiB != nil, !disks.support.enforces else { return }
        throw InstanceError.invalid("this node cannot enforce disk limits (\(disks.support.detail)); deploy without a disk limit or on another node")
    }

    /// Readies the instance's disk before an install, a start, and any use of its files, so nothing is
    /// ever written beside it onto the host's disk: with project quotas, its folder made a project with its
    /// limit (every instance, limited or not, so its use is always counted); else its image mounted, made
    /// first when it has none yet (nothing for an instance without a disk limit).
    func mountDisk(of id: String) async throws {
        guard let record = records[id] else { return }
        let limitBytes = record.specification.limits.diskMiB.map { Int64($0) << 20 }
        let owner = record.hostID
        if let quotas = disks.quotas {
            let volume = blueprint.volumePath(for: id)
            try await onDisk(of: id) { try quotas.prepare(volume, project: owner, owner: owner, limitBytes: limitBytes) }
            return
        }
        guard let limitBytes else { return }
        try await onImage(of: id) { image in
            if image.exists {
                try await image.mount()
            } else {
                // A folder of files written before the limit was set would vanish under the new image.
                let files = (try? FileManager.default.contentsOfDirectory(atPath: image.mountPoint)) ?? []
                guard files.isEmpty else {
                    throw InstanceError.conflict("the instance has files from before it had a disk limit; they were left as they are")
                }
                try await image.create(limitBytes: limitBytes, owner: owner)
            }
        }
    }

    /// Gives the instance's files the room of their new limit. With project quotas, at once, while it
    /// runs. With images, only while it is stopped: its disk grown or shrunk, or the files moved onto a
    /// disk of their own (a limit where there was none) or off it (none where there was one).
    func resizeDisk(of id: String, from old: Int?, to new: Int?) async throws {
        guard old != new, let record = records[id] else { return }
        if let quotas = disks.quotas {
            let project = record.hostID
            try await onDisk(of: id) { try quotas.changeLimit(of: project, to: new.map { Int64($0) << 20 }) }
            return
        }
        guard record.lifecycle.activity != .installing, record.lifecycle.power == .offline || record.lifecycle.power == .crashed else {
            throw InstanceError.conflict("stop the instance first: its files are moved or resized while nothing uses them")
        }
        let owner = record.hostID
        let aside = asidePath(for: id)
        try await onImage(of: id) { image in
            switch (image.exists, new) {
            case (true, let new?): try await image.resize(toLimit: Int64(new) << 20)
            case (true, nil): try await image.releaseFiles(owner: owner)
            case (false, let new?): try await image.adoptFiles(limitBytes: Int64(new) << 20, owner: owner, aside: aside)
            case (false, nil): return
            }
        }
        if FileManager.default.fileExists(atPath: aside) { removeInBackground(aside) }
    }

    /// Lets go of the instance's disk before its files are deleted: its image unmounted and removed, or
    /// its project's limit lifted (the next instance given its user id starts afresh).
    func removeDisk(of id: String) async throws {
        if let quotas = disks.quotas, let project = records[id]?.hostID {
            try await onDisk(of: id) { try quotas.changeLimit(of: project, to: nil) }
            return
        }
        let image = disks.image(of: id)
        guard disks.usesImages, image.exists || image.isMounted else { return }
        try await onImage(of: id) { try await $0.remove() }
    }

    /// How long the count of an instance's files stands before they are counted again: a walk of them all.
    static let fileCountInterval = Duration.seconds(60)

    /// What each instance's files take: of its disk limit, measured now; without one, as last counted,
    /// at most ``fileCountInterval`` ago (a count that is older starts again in the background, and an
    /// instance never counted yet is left out until its first count ends).
    func diskUsage() -> [String: DiskUsage] {
        if let quotas = disks.quotas {
            return records.reduce(into: [:]) { usage, entry in
                guard let measured = quotas.usage(of: entry.value.hostID) else { return }
                let limit = entry.value.specification.limits.diskMiB.map { Int64($0) << 20 }
                usage[entry.key] = DiskUsage(usedBytes: measured.used, limitBytes: limit, availableBytes: limit.map { max($0 - measured.used, 0) })
            }
        }
        var usage = disks.imageUsage(of: records.compactMapValues(\.specification.limits.diskMiB))
        let now = ContinuousClock.now
        for (id, record) in records where record.specification.limits.diskMiB == nil {
            let counted = countedFiles[id]
            if let counted { usage[id] = DiskUsage(usedBytes: counted.bytes) }
            let stale = counted.map { now - $0.at >= Self.fileCountInterval } ?? true
            if stale, record.lifecycle.activity == .none, !filesBeingCounted.contains(id) { countFiles(of: id) }
        }
        return usage
    }

    /// Walks the instance's files on a thread of the pool the file routes use, off the concurrency pool.
    private func countFiles(of id: String) {
        filesBeingCounted.insert(id)
        let volume = blueprint.volumePath(for: id)
        tasks.spawn {
            let bytes = try? await NIOThreadPool.singleton.runIfActive { try ConfinedDirectory(path: volume).allocatedBytes() }
            await self.filesCounted(id, bytes: bytes)
        }
    }

    private func filesCounted(_ id: String, bytes: Int64?) {
        filesBeingCounted.remove(id)
        countedFiles[id] = records[id] != nil ? bytes.map { ($0, .now) } : nil
    }

    /// After a restart (a reboot unmounts everything): every instance's disk readied again before any
    /// instance starts.
    func mountDisks() async {
        for (id, record) in records where record.lifecycle.activity != .deleting {
            do {
                try await mountDisk(of: id)
            } catch {
                logger.about(instance: id).error(
                    "instance \(id): its disk could not be mounted, so it cannot start: \(InstanceError.describe(error))"
                )
            }
        }
    }

    private func onImage(of id: String, _ work: @escaping @Sendable (DiskImage) async throws -> Void) async throws {
        let image = disks.image(of: id)
        try await onDisk(of: id) { try await work(image) }
    }

    func onDisk(of id: String, _ work: @escaping @Sendable () async throws -> Void) async throws {
        do {
            try await disks.exclusively(id, work)
        } catch let failure as DiskFailure {
            throw failure.instanceError
        }
    }
}

extension DiskFailure {
    /// How the API says it: the node's room or the instance's files are a conflict, the rest a failure.
    var instanceError: InstanceError {
        switch self {
        case .noRoom(let message), .tooSmall(let message): .conflict(message)
        case .failed(let message): .failed(message)
        }
    }
}
