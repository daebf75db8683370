import BerthProtocol
import FluentKit
import Foundation

extension InstanceStore {
    /// The latest resource use of those of `views` that run, by id. The lists show an instance whose node
    /// does not answer without numbers.
    package func usage(of views: [InstanceView]) async -> [String: ResourceSample] {
        let running = views.filter { !$0.suspended && ($0.powerState == "running" || $0.powerState == "starting") }
        return await ask(nodesOf: running) { node in try await daemons.usage(on: node) }
    }

    /// What the files of `views` take, running or not (of their disk limits, where they have one).
    package func diskUsage(of views: [InstanceView]) async -> [String: DiskUsage] {
        await ask(nodesOf: views) { node in try await daemons.diskUsage(on: node) }
    }

    /// What `question` answers for `views`, by id: each of their nodes asked once, all at the same time. A
    /// node that does not answer adds nothing.
    private func ask<Answer: Sendable>(
        nodesOf views: [InstanceView],
        _ question: @escaping @Sendable (Node) async throws -> [String: Answer]
    ) async -> [String: Answer] {
        let wanted = Set(views.map(\.id))
        let nodeIDs = Set(views.compactMap { UUID(uuidString: $0.node.id) })
        guard !nodeIDs.isEmpty, let nodes = try? await Node.query(on: database.db()).filter(\.$id ~~ nodeIDs).all() else { return [:] }
        let answers = await withTaskGroup(of: [String: Answer].self) { group in
            for node in nodes {
                group.addTask { (try? await question(node)) ?? [:] }
            }
            return await group.reduce(into: [:]) { all, some in all.merge(some) { first, _ in first } }
        }
        return answers.filter { wanted.contains($0.key) }
    }
}
