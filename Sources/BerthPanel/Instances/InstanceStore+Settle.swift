import BerthProtocol
import FluentKit
import Foundation

/// How every change of an instance's settings is made: whole, in order, and known to its node.
extension InstanceStore {
    /// What a change's edit works with, inside its transaction.
    struct SettingsEdit {
        let definition: ImageDefinition
        let instance: Instance
        let node: Node
        let transaction: any Database
    }

    /// Changes an instance's settings under its node's lock (across panel processes too): the instance is
    /// read afresh, `edit` changes its settings (and may take allocations in the transaction), more memory
    /// or CPU is checked against the node's room, and the revision goes up. Then the node hears of what the
    /// instance now runs with. If the node refuses or cannot be reached, what this change touched goes back
    /// as it was, allocations included, and the error says why.
    @discardableResult
    func settle(
        _ id: String,
        edit: @escaping @Sendable (inout InstanceSettings, SettingsEdit) async throws -> Void
    ) async throws -> (before: InstanceSettings, after: InstanceSettings) {
        guard let found = try await find(id) else { throw PanelError.notFound("no instance with that id") }
        let instanceID = try found.requireID()
        let node = found.node
        let definition = try await imageDefinition(of: found)
        let db = database.db()
        let (instance, before, after) = try await database.inTurn {
            try await db.transaction { transaction in
                try await Self.lock(node, in: transaction)
                let instance = try await Self.fresh(instanceID, on: transaction)
                let before = InstanceSettings(instance)
                var after = before
                try await edit(&after, SettingsEdit(definition: definition, instance: instance, node: node, transaction: transaction))
                let (moreMemory, moreCPU) = (max(0, after.memory - before.memory), max(0, after.cpu - before.cpu))
                if moreMemory > 0 || moreCPU > 1e-9 {
                    try await Self.checkCapacity(of: node, memory: moreMemory, cpu: moreCPU, on: transaction)
                }
                after.apply(to: instance)
                instance.settingsRevision += 1
                try await instance.save(on: transaction)
                return (instance, before, after)
            }
        }
        if after.differsForTheNode(from: before) {
            do {
                try await tell(node, of: instance, definition: definition)
            } catch {
                try await undo(from: before, to: after, on: instanceID, node: node)
                throw error
            }
        }
        return (before, after)
    }

    private static func fresh(_ id: UUID, on transaction: any Database) async throws -> Instance {
        guard let instance = try await Instance.query(on: transaction).filter(\.$id == id).with(\.$node).first() else {
            throw PanelError.notFound("no instance with that id")
        }
        guard !instance.deleting else { throw PanelError.conflict("the instance is being deleted") }
        return instance
    }

    /// Puts back what a change the node did not take touched, and nothing else: a change made since to
    /// other fields stays. A port given back that another instance took meanwhile stays theirs.
    private func undo(from before: InstanceSettings, to after: InstanceSettings, on instanceID: UUID, node: Node) async throws {
        let db = database.db()
        try await database.inTurn {
            try await db.transaction { transaction in
                try await Self.lock(node, in: transaction)
                let instance = try await Self.fresh(instanceID, on: transaction)
                var current = InstanceSettings(instance)
                current.undo(from: before, to: after)
                let added = Set(after.ports.map(\.hostPort)).subtracting(before.ports.map(\.hostPort))
                if !added.isEmpty {
                    try await Allocation.query(on: transaction).filter(\.$instance.$id == instanceID).filter(\.$port ~~ Array(added)).delete()
                }
                let nodeID = try node.requireID()
                for mapping in before.ports where !after.ports.contains(mapping) {
                    guard try await Allocation.query(on: transaction).filter(\.$node.$id == nodeID).filter(\.$port == mapping.hostPort).count() == 0
                    else {
                        current.ports.removeAll { $0 == mapping }
                        continue
                    }
                    try await Allocation(nodeID: nodeID, port: mapping.hostPort, instanceID: instanceID, extra: true).create(on: transaction)
                }
                current.apply(to: instance)
                instance.settingsRevision += 1
                try await instance.save(on: transaction)
            }
        }
    }

    /// Sends the node the instance's specification as its row now says.
    private func tell(_ node: Node, of instance: Instance, definition: ImageDefinition) async throws {
        do {
            _ = try await daemons.reconfigure(try specification(of: instance, definition: definition), on: node)
        } catch DaemonClientError.refused(let status, let message) where status == 400 || status == 409 {
            throw status == 400 ? PanelError.invalid(message) : PanelError.conflict(message)
        } catch let error as DaemonClientError {
            throw error.failing("the new settings were not applied, and the old ones stay")
        }
    }
}
