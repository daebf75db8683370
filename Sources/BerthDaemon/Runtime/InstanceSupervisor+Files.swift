import ConfinedFiles
import Foundation

extension InstanceSupervisor {
    /// The instance's volume, opened for the file manager: files it makes belong to the instance's user.
    /// Refused while an installer owns the files, and while the instance is suspended or being deleted.
    func volumeFiles(of id: String) async throws -> ConfinedDirectory {
        if let refusal = fileRefusal(of: id) { throw refusal }
        guard let record = records[id] else { throw InstanceError.notFound(id: id) }
        try await mountDisk(of: id)
        do {
            return try ConfinedDirectory(path: blueprint.volumePath(for: id), owner: (record.hostID, record.hostID))
        } catch {
            throw InstanceError.failed("the instance's volume cannot be opened: \(error)")
        }
    }

    /// How many bytes the instance's files may still grow by: what an extraction may unpack. Without a
    /// disk limit of its own, the free space of the file system its volume is on.
    func roomForFiles(of id: String) throws -> Int64 {
        guard let disk = HostResources.disk(at: blueprint.volumePath(for: id)) else {
            throw InstanceError.failed("the room left for the instance's files cannot be read: \(String(cString: strerror(errno)))")
        }
        return disk.available
    }

    /// Why the instance's files cannot be reached now, if they cannot: it is gone, being deleted,
    /// suspended, or installing.
    func fileRefusal(of id: String) -> InstanceError? {
        guard let record = records[id] else { return InstanceError.notFound(id: id) }
        if record.lifecycle.activity == .deleting { return InstanceError.conflict("the instance is being deleted") }
        if record.lifecycle.suspended {
            return InstanceError.conflict("the instance is suspended; its files cannot be reached until it is unsuspended")
        }
        if record.lifecycle.activity == .restoring {
            return InstanceError.conflict("a backup is being restored into the instance; its files are out of reach until it is done")
        }
        if record.lifecycle.activity == .installing {
            return InstanceError.conflict("the instance is installing; its files are the installer's until it finishes")
        }
        return nil
    }
}
