import BerthProtocol
import DockerEngine
import Foundation

extension InstanceSupervisor {
    /// Accepts a new instance and installs it in the background; or, without `installing`, records it as
    /// installing while its files come from elsewhere (a transfer).
    func create(_ specification: InstanceSpecification, installing: Bool = true) throws -> InstanceStatus {
        if let problem = specification.problem { throw InstanceError.invalid(problem) }
        try checkDiskLimit(specification.limits)
        guard records[specification.id] == nil else { throw InstanceError.alreadyExists(id: specification.id) }
        let record = InstanceRecord(specification: specification, hostID: try freeHostID())
        records[record.id] = record
        consoles[record.id] = ConsoleHub()
        do {
            try save()
        } catch {
            // Not saved, not accepted: an instance the next run would not know must not live on in this one.
            records[record.id] = nil
            consoles[record.id] = nil
            throw error
        }
        reporter.report(Self.status(of: record))
        if installing { beginInstall(record.id) }
        return Self.status(of: record)
    }

    /// Runs the install script again and recreates the container; the instance must be stopped. With
    /// `wipingFiles`, the install starts from an empty volume.
    func reinstall(_ id: String, wipingFiles: Bool = false) async throws -> InstanceStatus {
        // Checked on a copy first: files are moved aside only for a reinstall that will happen.
        guard let record = records[id] else { throw InstanceError.notFound(id: id) }
        var lifecycle = record.lifecycle
        try lifecycle.requestReinstall()
        if wipingFiles {
            // A disk of its own is made anew by the install, empty.
            if record.specification.limits.diskMiB != nil && disks.usesImages { try await removeDisk(of: id) } else { try moveFilesAside(of: id) }
        }
        try change(id) { record in
            try record.lifecycle.requestReinstall()
            // The install makes the container with the settings there are now; a change while it runs
            // marks it outdated again.
            record.containerOutdated = false
        }
        beginInstall(id)
        return try status(of: id)
    }

    /// The lowest id of the node's range that no instance runs as.
    private func freeHostID() throws -> UInt32 {
        let taken = Set(records.values.map(\.hostID))
        guard let free = installer.configuration.instanceIDs.first(where: { !taken.contains($0) }) else {
            throw InstanceError.conflict("this node has no user id left for another instance")
        }
        return free
    }

    private func beginInstall(_ id: String) {
        guard let record = records[id], let console = consoles[id] else { return }
        let specification = record.specification
        let hostID = record.hostID
        tasks.spawn { [installer, metrics] in
            let started = ContinuousClock.now
            let outcome: Result<String, any Error>
            do {
                try await self.mountDisk(of: id)
                outcome = .success(try await installer.install(specification, as: hostID, console: console))
            } catch {
                outcome = .failure(error)
            }
            // A daemon shutting down cut the install short; the next one marks it failed with that reason.
            guard !Task.isCancelled else { return }
            let result = if case .success = outcome { "ready" } else { "failed" }
            metrics.timer("berth_daemon_install_duration_seconds", [("outcome", result)]).record(duration: .now - started)
            await self.installFinished(id, outcome)
        }
    }

    private func installFinished(_ id: String, _ outcome: Result<String, any Error>) {
        guard records[id] != nil else {
            // Deleted while installing: clear away what the install made, container and volume.
            let volume = blueprint.volumePath(for: id)
            tasks.spawn { [docker, logger] in
                if case .success(let containerID) = outcome {
                    await docker.discardContainer(containerID, logger: logger)
                }
                do {
                    try FileManager.default.removeItem(atPath: volume)
                } catch CocoaError.fileNoSuchFile {
                    // The deletion removed it already.
                } catch {
                    logger.about(instance: id).error("the volume \(volume) of deleted instance \(id) could not be removed: \(error)")
                }
            }
            return
        }
        // The deploy's wish to start is for its own install; a reinstall leaves the instance off.
        let startsNow = records[id]?.specification.startsWhenInstalled == true
        note(id) { record in
            record.specification.startsWhenInstalled = nil
            switch outcome {
            case .success(let containerID):
                record.containerID = containerID
                record.lifecycle.installFinished(failure: nil)
            case .failure(let error):
                record.lifecycle.installFinished(failure: InstanceError.describe(error))
            }
        }
        if case .success = outcome {
            logger.about(instance: id).info("instance \(id) is installed")
        }
        if case .success = outcome, startsNow {
            tasks.spawn { [logger] in
                do {
                    try await self.start(id)
                } catch {
                    logger.about(instance: id).warning(
                        "instance \(id) was installed but could not start: \(InstanceError.describe(error))"
                    )
                }
            }
        }
        if case .failure(let error) = outcome {
            consoles[id]?.publishNotice("installer failed: \(InstanceError.describe(error))")
            logger.about(instance: id).warning("install of \(id) failed: \(InstanceError.describe(error))")
        }
    }

    /// Removes the instance's containers and volume, then forgets it. When Docker cannot confirm the
    /// containers are gone, nothing is forgotten and the error says so: a node never keeps a container
    /// it has no record of.
    func delete(_ id: String) async throws {
        try change(id) { try $0.lifecycle.requestDelete() }
        for name in [ContainerBlueprint.containerName(for: id), ContainerBlueprint.installerName(for: id)] {
            do {
                try await docker.removeContainer(name, force: true)
            } catch DockerEngineError.notFound {
                // Already gone.
            } catch DockerEngineError.conflict {
                // Something else is removing it right now (a retried deletion, the installer's tidy-up).
                do {
                    try await waitUntilRemoved(name)
                } catch {
                    note(id) { $0.lifecycle.deleteFailed() }
                    throw error
                }
            } catch {
                note(id) { $0.lifecycle.deleteFailed() }
                throw InstanceError.engine(
                    "the instance's containers could not be removed, so it was kept: \(InstanceError.describe(error))"
                )
            }
        }
        do {
            try await removeDisk(of: id)
        } catch {
            note(id) { $0.lifecycle.deleteFailed() }
            throw error
        }
        let volume = blueprint.volumePath(for: id)
        if FileManager.default.fileExists(atPath: volume) {
            do {
                try FileManager.default.removeItem(atPath: volume)
            } catch {
                note(id) { $0.lifecycle.deleteFailed() }
                throw InstanceError.failed("the instance's volume \(volume) could not be removed, so it was kept: \(error)")
            }
        }
        do {
            try backups.removeAll(of: id)
        } catch {
            // The instance is gone either way; an archive left behind is the operator's to remove.
            logger.about(instance: id).warning("the backups of deleted instance \(id) could not be removed: \(error)")
        }
        guard records.removeValue(forKey: id) != nil else { return }
        inputs[id] = nil
        consoles.removeValue(forKey: id)?.disconnectAll()
        try save()
    }

    /// Waits until Docker no longer knows the container, for at most 30 s. Polled rather than Docker's
    /// `wait?condition=removed`, which has no deadline and can miss a removal that ends as it registers:
    /// a deletion's request then never ended, and neither did the daemon's shutdown behind it.
    private func waitUntilRemoved(_ name: String) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            do {
                _ = try await docker.inspectContainer(name)
            } catch DockerEngineError.notFound {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw InstanceError.engine("the container \(name) was still being removed after 30 s, so the instance was kept")
    }
}
