import BerthProtocol
import Foundation

/// Changes of an instance's settings after its install: a new specification, and its container made anew.
extension InstanceSupervisor {
    /// Takes an instance's new specification: its variables, Docker image, startup line, ports or limits.
    /// New limits reach a running container at once; everything else reaches it at its next start, in a
    /// container made anew, so a change of settings never cuts a running server off. One older than the
    /// node's (by its revision) changes nothing.
    func reconfigure(_ id: String, as new: InstanceSpecification) async throws -> InstanceStatus {
        if let problem = new.problem { throw InstanceError.invalid(problem) }
        guard new.id == id else { throw InstanceError.invalid("the specification's id \(new.id) is not the instance's") }
        guard let current = records[id] else { throw InstanceError.notFound(id: id) }
        try current.lifecycle.checkAvailable()
        if Self.isStale(new, comparedWith: current.specification) { return Self.status(of: current) }
        if new.limits != current.specification.limits {
            _ = try await updateLimits(new.limits, of: id)
        }
        try change(id) { record in
            try record.lifecycle.checkAvailable()
            guard !Self.isStale(new, comparedWith: record.specification) else { return }
            var specification = new
            // Suspension has a route of its own, and whether to start after the install was the deploy's to say.
            specification.suspended = record.specification.suspended
            specification.startsWhenInstalled = record.specification.startsWhenInstalled
            // While installing too: the container the install makes was made with the old settings.
            if Self.needsNewContainer(from: record.specification, to: specification) {
                record.containerOutdated = true
            }
            record.specification = specification
        }
        return try status(of: id)
    }

    private static func isStale(_ new: InstanceSpecification, comparedWith current: InstanceSpecification) -> Bool {
        guard let revision = new.revision, let held = current.revision else { return false }
        return revision < held
    }

    /// Limits and the name are changed in place, and the revision only counts; anything else the container
    /// was made with needs a new one.
    private static func needsNewContainer(from old: InstanceSpecification, to new: InstanceSpecification) -> Bool {
        var comparable = old
        comparable.limits = new.limits
        comparable.name = new.name
        comparable.revision = new.revision
        return comparable != new
    }

    /// The instance's container as its record says now (a renewal may have replaced it).
    func containerID(of id: String) throws -> String {
        guard let containerID = records[id]?.containerID else { throw InstanceError.conflict("the instance has no container; reinstall it") }
        return containerID
    }

    /// Before a start: a container made with settings that changed since is replaced by one made with the
    /// new ones. A failure is the start's failure, and the next start tries again.
    func renewContainerIfOutdated(_ id: String, session: UUID) async throws {
        guard let record = records[id], record.containerOutdated else { return }
        do {
            let containerID = try await installer.createRuntimeContainer(record.specification, as: record.hostID)
            try change(id) { record in
                record.containerID = containerID
                record.containerOutdated = false
            }
        } catch {
            let reason = "the container could not be made anew with the new settings: \(InstanceError.describe(error))"
            note(id) { $0.lifecycle.startFailed(session: session, reason: reason) }
            throw InstanceError.failed(reason)
        }
    }

    /// Empties the instance's volume for a reinstall from scratch: moved aside at once (a rename, so the
    /// install never sees half of the old files) and removed in the background.
    func moveFilesAside(of id: String) throws {
        let volume = blueprint.volumePath(for: id)
        guard FileManager.default.fileExists(atPath: volume) else { return }
        let aside = asidePath(for: id)
        do {
            try FileManager.default.moveItem(atPath: volume, toPath: aside)
        } catch {
            throw InstanceError.failed("the instance's files could not be cleared for the reinstall: \(error.localizedDescription)")
        }
        removeInBackground(aside)
    }

    /// Where the instance's old files go to be removed: `.<id>.wiped-<uuid>` beside the volumes. Ids start
    /// with a letter or digit, so no instance's volume is ever named like this.
    func asidePath(for id: String) -> String {
        (installer.configuration.volumesDirectory as NSString).appendingPathComponent(".\(id)\(Self.asideMark)\(UUID().uuidString)")
    }

    private static var asideMark: String { ".wiped-" }

    /// At start: removes what wiping reinstalls moved aside and a daemon that stopped did not get to remove.
    func removeFilesLeftAside() {
        let volumes = installer.configuration.volumesDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: volumes) else { return }
        for name in names where name.hasPrefix(".") && name.contains(Self.asideMark) {
            removeInBackground((volumes as NSString).appendingPathComponent(name))
        }
    }

    /// `removeItem` deletes a link as a link: a tenant's link to a host folder leaves the folder alone.
    func removeInBackground(_ path: String) {
        let quotas = disks.quotas
        tasks.spawn { [logger] in
            // With project quotas, the files stop taking the instance's room first (a walk, far quicker than
            // deleting them), so a reinstall from scratch has all of it.
            try? quotas?.uncount(path)
            do {
                try FileManager.default.removeItem(atPath: path)
            } catch {
                logger.error("the old files at \(path) could not be removed: \(error)")
            }
        }
    }
}
