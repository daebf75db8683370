import BerthProtocol
import FluentKit
import Foundation

extension InstanceStore {
    /// The latest resource use of those of `views` that run, by id: each of their nodes asked once, all at
    /// the same time. A node that does not answer adds nothing; the lists show its instances without numbers.
    package func usage(of views: [InstanceView]) async -> [String: ResourceSample] {
        let running = Set(views.filter { !$0.suspended && ($0.powerState == "running" || $0.powerState == "starting") }.map(\.id))
        let nodeIDs = Set(views.filter { running.contains($0.id) }.compactMap { UUID(uuidString: $0.node.id) })
        guard !nodeIDs.isEmpty, let nodes = try? await Node.query(on: database.db()).filter(\.$id ~~ nodeIDs).all() else { return [:] }
        let samples = await withTaskGroup(of: [String: ResourceSample].self) { group in
            for node in nodes {
                group.addTask { (try? await daemons.usage(on: node)) ?? [:] }
            }
            return await group.reduce(into: [:]) { all, some in all.merge(some) { first, _ in first } }
        }
        return samples.filter { running.contains($0.key) }
    }

    /// What the files of `views` take, running or not (of their disk limits, where they have one): asked
    /// of each of their nodes at once. A node that does not answer leaves its instances out.
    package func diskUsage(of views: [InstanceView]) async -> [String: DiskUsage] {
        let wanted = Set(views.map(\.id))
        let nodeIDs = Set(views.compactMap { UUID(uuidString: $0.node.id) })
        guard !nodeIDs.isEmpty, let nodes = try? await Node.query(on: database.db()).filter(\.$id ~~ nodeIDs).all() else { return [:] }
        let usage = await withTaskGroup(of: [String: DiskUsage].self) { group in
            for node in nodes {
                group.addTask { (try? await daemons.diskUsage(on: node)) ?? [:] }
            }
            return await group.reduce(into: [:]) { all, some in all.merge(some) { first, _ in first } }
        }
        return usage.filter { wanted.contains($0.key) }
    }
}
