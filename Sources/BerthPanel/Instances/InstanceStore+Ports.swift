import BerthProtocol
import FluentKit
import Foundation

/// Ports an instance's owner adds after the deploy, within the extra port limit an admin set.
extension InstanceStore {
    /// Adds a free port of the node's ranges, published at the same port inside. Picked and counted under
    /// the node's lock, so two adds at once never take one port or pass the limit together. The container
    /// publishes it from its next start; if the node refuses or cannot be reached, nothing is added.
    package func addPort(to id: String) async throws -> (added: Int, instance: InstanceView) {
        let (before, after) = try await settle(id) { settings, edit in
            let instanceID = try edit.instance.requireID()
            let limit = settings.extraPortLimit
            let extras = try await Allocation.query(on: edit.transaction).filter(\.$instance.$id == instanceID).filter(\.$extra == true).count()
            guard extras < limit else {
                throw PanelError.conflict(
                    limit == 0
                        ? "this instance may not have ports beyond those of its deploy; an admin sets how many"
                        : "this instance has all \(limit) extra port(s) it may have; remove one first"
                )
            }
            let (ports, _) = try await Self.hostPorts(.fromRanges(count: 1), on: edit.node, in: edit.transaction)
            try await Allocation(nodeID: edit.node.requireID(), port: ports[0].hostPort, instanceID: instanceID, extra: true)
                .create(on: edit.transaction)
            settings.ports += ports
        }
        let added = after.ports.first { !before.ports.contains($0) }?.hostPort ?? 0
        return (added, try await requireView(id))
    }

    /// Removes a port the owner added; the deploy's ports stay. The container stops publishing it at its
    /// next start.
    package func removePort(_ port: Int, from id: String) async throws -> InstanceView {
        try await settle(id) { settings, edit in
            let instanceID = try edit.instance.requireID()
            guard
                let allocation = try await Allocation.query(on: edit.transaction).filter(\.$instance.$id == instanceID)
                    .filter(\.$port == port).first()
            else {
                throw PanelError.notFound("port \(port) is not one of this instance's")
            }
            guard allocation.extra else { throw PanelError.conflict("port \(port) came with the deploy; only ports added later can be removed") }
            try await allocation.delete(on: edit.transaction)
            settings.ports.removeAll { $0.hostPort == port }
        }
        return try await requireView(id)
    }

    /// The host ports the owner added to an instance.
    package func extraPorts(of instanceID: UUID) async throws -> Set<Int> {
        Set(try await Allocation.query(on: database.db()).filter(\.$instance.$id == instanceID).filter(\.$extra == true).all().map(\.port))
    }

    private func requireView(_ id: String) async throws -> InstanceView {
        guard let view = try await view(id) else { throw PanelError.notFound("no instance with that id") }
        return view
    }
}
