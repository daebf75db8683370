import BerthProtocol
import FluentKit
import Foundation
import SQLKit

/// Deploys left half-done by a panel process that went away (killed, its machine lost) between writing the
/// instance's row and hearing from its node: the row names that process (`deploying_process`) until the
/// node has taken the instance. Another process finishes each one way or the other, never half: the node
/// has it, so it is deployed; the node never got it, so it is rolled back and its ports freed.
extension InstanceStore {
    /// How long a deploy's process must have been silent in the register of live processes (which each
    /// writes every 5 s), and the row must be old, before a deploy counts as abandoned.
    static let abandonedAfter: Double = 20

    /// Marks the deploy done: its node took it. False when another process rolled it back meanwhile.
    func confirmDeploy(_ id: UUID, by process: String) async throws -> Bool {
        let rows = try await database.sql().raw(
            """
            UPDATE instances SET deploying_process = NULL \
            WHERE id = \(bind: id) AND deploying_process = \(bind: process) AND deleting = \(bind: false) RETURNING id
            """
        ).all()
        return !rows.isEmpty
    }

    /// Finishes or rolls back every deploy whose process is gone; one whose node cannot be reached now
    /// waits for the next round.
    func recoverAbandonedDeploys(at now: Date = Date()) async {
        do {
            let live = try await GrantEpoch(database: database).liveProcesses(seenWithin: Self.abandonedAfter)
            let unconfirmed = try await Instance.query(on: database.db()).with(\.$node)
                .filter(\.$deployingProcess != nil).filter(\.$deleting == false).all()
            for instance in unconfirmed {
                guard let deployer = instance.deployingProcess, isAbandoned(by: deployer, begun: instance.createdAt, live: live, at: now)
                else { continue }
                try await recover(instance, abandonedBy: deployer)
            }
        } catch {
            logger.error("abandoned deploys could not be looked for: \(error)")
        }
    }

    /// Whether work `worker` began at `begun` is abandoned at `now`: another process's, that process not among
    /// the `live` ones in the register, and the work older than the silence that takes.
    func isAbandoned(by worker: String, begun: Date?, live: Set<String>, at now: Date) -> Bool {
        worker != process && !live.contains(worker) && begun.map { now.timeIntervalSince($0) > Self.abandonedAfter } == true
    }

    private func recover(_ instance: Instance, abandonedBy deployer: String) async throws {
        let id = try instance.requireID()
        let name = id.uuidString.lowercased()
        do {
            _ = try await daemons.status(of: name, on: instance.node)
            guard try await confirmDeploy(id, by: deployer) else { return }
            logger.notice("instance \(name): its deploy's panel process went away after node \(instance.node.name) took it; it is deployed")
            await outbox.post(.deployed, about: instance)
        } catch DaemonClientError.refused(404, _) {
            let marked = try await database.sql().raw(
                """
                UPDATE instances SET deleting = \(bind: true) \
                WHERE id = \(bind: id) AND deploying_process = \(bind: deployer) AND deleting = \(bind: false) RETURNING id
                """
            ).all()
            guard !marked.isEmpty else { return }
            logger.notice("instance \(name): its deploy's panel process went away before node \(instance.node.name) took it; it is rolled back")
            instance.deleting = true
            _ = try await finishDeletion(instance)
        } catch let error as DaemonClientError {
            logger.info("instance \(name): an abandoned deploy waits for node \(instance.node.name): \(error.message)")
        }
    }
}
