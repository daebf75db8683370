import BerthProtocol
import DockerEngine
import Foundation

extension InstanceSupervisor {
    /// Loads the records saved by the last run; each waits to be reconciled before it takes requests.
    func loadState() throws {
        for record in try stateFile.load() {
            records[record.id] = record
            consoles[record.id] = ConsoleHub()
        }
    }

    /// Matches the records with the containers Docker has: reattaches to running ones, recreates
    /// missing ones, fails installs that were cut short, and reports containers nobody owns.
    ///
    /// When Docker does not answer, the instances are left as saved (and take requests again), and Docker is
    /// asked again every `retryInterval` until it answers; then those not busy meanwhile are reconciled as at
    /// a start, so a server that should run runs and a running one gets its console back.
    func reconcileWithDocker(retryInterval: Duration = .seconds(5)) async {
        await finishInterruptedSwaps()
        removeFilesLeftAside()
        await finishInterruptedDeletions()
        await mountDisks()
        finishInterruptedRestores()
        var waiting = records.values.filter { $0.lifecycle.activity == .reconciling }.map(\.id).sorted()
        do {
            await reconcile(waiting, with: try await docker.listContainers(labels: [containerLabel]))
            return
        } catch {
            logger.warning("cannot reconcile with Docker yet (asking again every \(retryInterval)): \(error)")
            for id in waiting {
                note(id) { $0.lifecycle.reconciliationSkipped() }
                if let record = records[id] { reporter.report(Self.status(of: record)) }
            }
        }
        while (try? await Task.sleep(for: retryInterval)) != nil {
            guard let containers = try? await docker.listContainers(labels: [containerLabel]) else { continue }
            // Deleted meanwhile, or in the middle of something a request began: not reconciled after all.
            waiting = waiting.filter { id in note(id) { $0.lifecycle.resumeReconciliation() } ?? false }
            logger.info("Docker answers again; reconciling \(waiting.count) instance(s) left as saved")
            await reconcile(waiting, with: containers)
            return
        }
    }

    private func reconcile(_ restored: [String], with containers: [ContainerSummary]) async {
        for container in containers {
            let id = container.labels[ContainerBlueprint.instanceLabel] ?? ""
            if records[id] == nil {
                logger.warning(
                    "container \(container.names.first ?? container.id) belongs to instance \(id), which this node does not know; leaving it alone"
                )
            } else if container.labels[ContainerBlueprint.roleLabel] == ContainerBlueprint.installerRole {
                await docker.discardContainer(container.id, logger: logger)
            }
        }
        for id in restored {
            let runtime = containers.first {
                $0.labels[ContainerBlueprint.instanceLabel] == id
                    && $0.labels[ContainerBlueprint.roleLabel] == ContainerBlueprint.runtimeRole
            }
            await reconcile(id, runtime: runtime)
            // Told again even when nothing changed: an event the last run could not deliver is not lost.
            if let record = records[id] { reporter.report(Self.status(of: record)) }
        }
        saveOrLog()
    }

    /// Deletions the last run began and did not see through (its last save failed, say, on a full disk)
    /// are finished now: a deleted instance never comes back.
    private func finishInterruptedDeletions() async {
        for id in records.values.filter({ $0.lifecycle.activity == .deleting }).map(\.id).sorted() {
            do {
                try await delete(id)
                logger.about(instance: id).info("instance \(id): finished its deletion, which the last run began")
            } catch {
                logger.about(instance: id).error("instance \(id): its deletion could not be finished: \(InstanceError.describe(error))")
            }
        }
    }

    /// A container made before the tenant network existed (or while it was off) sits on Docker's default
    /// bridge, unfenced. It is stopped (as a stop without a console command would) and removed, so the
    /// reconciliation makes it anew behind the fence and starts it again if it should run. Returns whether
    /// the container is gone.
    private func movedBehindTheFence(_ id: String, container: ContainerSummary) async -> Bool {
        guard installer.network.isolates, let inspection = try? await docker.inspectContainer(container.id),
            inspection.networkSettings.networks?[TenantNetwork.name] == nil
        else { return false }
        logger.about(instance: id).warning("instance \(id) runs outside the tenant network; it is restarted behind it")
        let timeout = Duration.seconds(records[id]?.specification.image.stopTimeoutSeconds ?? 30)
        try? await docker.stopContainer(container.id, timeout: timeout)
        do {
            try await docker.removeContainer(container.id, force: true)
            return true
        } catch {
            logger.about(instance: id).error("instance \(id): its unfenced container could not be removed: \(error)")
            return false
        }
    }

    /// Matches one restored instance with its runtime container.
    private func reconcile(_ id: String, runtime: ContainerSummary?) async {
        var runtime = runtime
        if let container = runtime, await movedBehindTheFence(id, container: container) { runtime = nil }
        let finding: InstanceLifecycle.ContainerFinding =
            runtime == nil ? .missing : runtime?.state == "running" ? .running : .stopped
        var action = note(id) { record in
            if let runtime { record.containerID = runtime.id }
            return record.lifecycle.reconcile(with: finding, session: UUID())
        }
        if action == .recreateContainer, let specification = records[id]?.specification, let hostID = records[id]?.hostID {
            do {
                let containerID = try await installer.createRuntimeContainer(specification, as: hostID)
                logger.about(instance: id).info("recreated the missing container of instance \(id)")
                action = note(id) { record in
                    record.containerID = containerID
                    return record.lifecycle.reconcile(with: .stopped, session: UUID())
                }
            } catch {
                let reason = InstanceError.describe(error)
                note(id) { $0.lifecycle.recreationFailed(reason: reason) }
                return
            }
        }
        guard records[id]?.containerID != nil else { return }
        do {
            switch action {
            case .reattach(let session):
                try await runSession(session, of: id, containerID: try containerID(of: id), startContainer: false)
            case .start(let session):
                // Settings changed before the daemon stopped reach the container now, as at any start.
                try await renewContainerIfOutdated(id, session: session)
                try await runSession(session, of: id, containerID: try containerID(of: id), startContainer: true)
            case .keep, .recreateContainer, nil:
                break
            }
        } catch {
            // The instance shows offline with the reason; the operator's log says it too.
            logger.about(instance: id).warning("instance \(id) could not be resumed after the restart: \(InstanceError.describe(error))")
        }
    }
}
