import BerthProtocol
import FluentKit
import Foundation

/// What owners and operators change of an instance after its deploy: its name, limits and owner, and its
/// power state.
extension InstanceStore {
    /// Renames, resizes or hands over an instance. New limits are checked against the node's room (more
    /// only; less always fits) under the node's lock and applied to the running container at once; if the
    /// node refuses them, the instance keeps its old ones.
    package func change(_ id: String, _ changes: InstanceChanges) async throws -> InstanceView {
        guard let instance = try await find(id) else { throw PanelError.notFound("no instance with that id") }
        guard !instance.deleting else { throw PanelError.conflict("the instance is being deleted") }
        let db = database.db()
        if let owner = changes.owner, try await User.query(on: db).filter(\.$userID == owner).first() == nil {
            throw PanelError.invalid("user \(owner) does not exist")
        }
        let (oldMemory, oldCPU) = (instance.memory, instance.cpu)
        let memory = changes.memory ?? oldMemory
        let cpu = changes.cpu ?? oldCPU
        instance.name = changes.name ?? instance.name
        instance.ownerUserID = changes.owner ?? instance.ownerUserID
        instance.memory = memory
        instance.cpu = cpu
        let node = instance.node
        try await database.inTurn {
            try await db.transaction { transaction in
                if memory > oldMemory || cpu > oldCPU + 1e-9 {
                    try await Self.checkCapacity(of: node, memory: max(0, memory - oldMemory), cpu: max(0, cpu - oldCPU), on: transaction)
                }
                try await instance.save(on: transaction)
            }
        }
        if memory != oldMemory || abs(cpu - oldCPU) > 1e-9 {
            do {
                _ = try await daemons.updateLimits(ResourceLimits(memoryMiB: memory, cpuCores: cpu), instance: id.lowercased(), on: node)
            } catch let error as DaemonClientError {
                instance.memory = oldMemory
                instance.cpu = oldCPU
                try await instance.save(on: db)
                if case .refused(400, let message) = error { throw PanelError.invalid(message) }
                throw PanelError.nodeFailed("the new limits were not applied, and the old ones stay: \(error.message)")
            }
        }
        guard let view = try await view(id) else { throw PanelError.notFound("no instance with that id") }
        return view
    }

    // MARK: - Power

    /// Asks the instance's node to start, stop, restart or kill it; the node's state follows in its events.
    package func power(_ action: PowerAction, _ id: String) async throws -> InstanceStatus {
        guard let instance = try await find(id) else { throw PanelError.notFound("no instance with that id") }
        guard !instance.deleting else { throw PanelError.conflict("the instance is being deleted") }
        do {
            return try await daemons.power(action, instance: id.lowercased(), on: instance.node)
        } catch DaemonClientError.refused(let status, let message) where status == 409 || status == 400 {
            // Not installed, suspended, already in that state: the node says why.
            throw PanelError.conflict(message)
        } catch let error as DaemonClientError {
            throw PanelError.nodeFailed("the instance was not sent \(action.rawValue): \(error.message)")
        }
    }
}
