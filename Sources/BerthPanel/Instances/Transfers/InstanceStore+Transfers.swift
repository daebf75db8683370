import BerthHTTP
import BerthProtocol
import FluentKit
import Foundation
import SQLKit

/// Moving an instance to another node. The panel reserves the instance's ports and room on the target,
/// tells the target to expect it, and asks the source to send it: the files go node to node over the
/// nodes' own TLS channel, the target pinned by the panel for the source, with a token made for this
/// transfer alone (only its digest reaches the target, and it is spent by its first use). Only once the
/// target runs the instance does the row move to it; then the source deletes its copy. A failure before
/// that rolls back: the target forgets it, its ports there are freed, and the source runs it as before.
extension InstanceStore {
    /// Starts moving instance `id` to node `targetID`, and answers at once; the move goes on in the
    /// background. Live, the instance runs on while its files are copied, and stops only for what changed.
    package func transfer(_ id: String, to targetID: String, live: Bool = false) async throws -> TransferView {
        let db = database.db()
        guard let instance = try await find(id) else { throw PanelError.notFound("no instance with that id") }
        guard !instance.deleting else { throw PanelError.conflict("the instance is being deleted") }
        guard let targetUUID = UUID(uuidString: targetID), let target = try await Node.find(targetUUID, on: db) else {
            throw PanelError.invalid("node: no node \(targetID)")
        }
        let instanceID = try instance.requireID()
        guard targetUUID != instance.$node.id else { throw PanelError.invalid("node: the instance is on node \(target.name) already") }
        try liveness.requireOnline(instance.node)
        try liveness.requireOnline(target)
        guard !target.maintenance else { throw PanelError.conflict("node \(target.name) is in maintenance; it takes no instances") }
        guard target.pinnedCertificate != nil else {
            throw PanelError.nodeUnavailable("node \(target.name) has not presented its TLS certificate yet, so it cannot be sent anything")
        }
        if try await Transfer.query(on: db).filter(\.$instance.$id == instanceID).filter(\.$state == "sending").first() != nil {
            throw PanelError.conflict("the instance is being moved already")
        }
        let transfer = Transfer()
        transfer.id = UUID()
        transfer.$instance.id = instanceID
        transfer.sourceNodeID = instance.$node.id
        transfer.targetNodeID = targetUUID
        transfer.live = live
        transfer.process = process
        transfer.state = "sending"
        transfer.sourceRemoved = false
        do {
            try await database.inTurn {
                try await db.transaction { transaction in
                    // Room and ports on the target, settled under its lock as a deploy's are.
                    try await Self.checkCapacity(of: target, memory: instance.memory, cpu: instance.cpu, on: transaction)
                    let held = try await Allocation.query(on: transaction).filter(\.$instance.$id == instanceID).all()
                    for allocation in held {
                        try await Allocation(nodeID: targetUUID, port: allocation.port, instanceID: instanceID, extra: allocation.extra)
                            .create(on: transaction)
                    }
                    try await transfer.create(on: transaction)
                }
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            let ports = try await Allocation.query(on: db).filter(\.$instance.$id == instanceID).all().map(\.port)
            let taken = try await Allocation.query(on: db).filter(\.$node.$id == targetUUID).filter(\.$port ~~ ports).all().map(\.port)
            throw PanelError.conflict(
                "port \(taken.map(String.init).joined(separator: ", ")) is taken on node \(target.name); the instance keeps its ports when it moves"
            )
        }
        let transferID = try transfer.requireID()
        background.submit { await self.carryOut(transferID) }
        return TransferView(transfer)
    }

    /// The instance's transfers, the latest first.
    package func transfers(of id: String) async throws -> [TransferView] {
        guard let uuid = UUID(uuidString: id) else { throw PanelError.notFound("no instance with that id") }
        return try await Transfer.query(on: database.db()).filter(\.$instance.$id == uuid).sort(\.$createdAt, .descending).all().map(
            TransferView.init
        )
    }

    /// The latest transfer of each instance that is under way, or failed within the last day, by instance id.
    package func unfinishedTransfers() async throws -> [String: TransferView] {
        let recent = try await Transfer.query(on: database.db()).filter(\.$state != "done")
            .filter(\.$createdAt > Date().addingTimeInterval(-86_400)).sort(\.$createdAt).all()
        return Dictionary(recent.map { ($0.$instance.id.uuidString.lowercased(), TransferView($0)) }, uniquingKeysWith: { _, later in later })
    }

    /// Sends the instance from its node to the target, then moves its row, or rolls back.
    func carryOut(_ transferID: UUID) async {
        let db = database.db()
        guard let transfer = try? await Transfer.find(transferID, on: db),
            let instance = try? await Instance.query(on: db).with(\.$node).filter(\.$id == transfer.$instance.id).first(),
            let target = try? await Node.find(transfer.targetNodeID, on: db)
        else {
            logger.error("transfer \(transferID) lost its instance or node before it began")
            return
        }
        let source = instance.node
        let id = transfer.$instance.id.uuidString.lowercased()
        do {
            let answer = try await send(instance, from: source, to: target, as: transferID, live: transfer.live)
            try await arrive(instance, on: target, with: answer, transfer: transfer)
        } catch {
            await rollBack(transfer, instance: id, target: target, because: error)
            return
        }
        await removeCopy(transfer, of: id, from: source)
    }

    /// Tells the target to expect the instance and the source to send it; the source's answer, or, when the
    /// source could not be heard (it may have finished), the target's word that it has the instance.
    private func send(_ instance: Instance, from source: Node, to target: Node, as transferID: UUID, live: Bool) async throws -> TransferAnswer {
        let id = try instance.requireID().uuidString.lowercased()
        let token = Secrets.generate()
        let specification = try specification(of: instance, definition: try await imageDefinition(of: instance))
        let starts = [PowerState.running.rawValue, PowerState.starting.rawValue].contains(instance.powerState)
        let name = transferID.uuidString.lowercased()
        _ = try await daemons.send(
            .POST,
            DaemonRoutes.incomingTransfers.pattern,
            body: IncomingTransfer(transfer: name, specification: specification, tokenDigest: Secrets.digest(token), starts: starts, live: live),
            to: target,
            expecting: InstanceStatus.self,
            deadline: DaemonClient.engineDeadline
        )
        let channel = try DaemonClient.channel(to: target)
        guard let certificate = target.pinnedCertificate?.pem else {
            throw DaemonClientError.untrusted("node \(target.name) has no pinned certificate")
        }
        let outgoing = OutgoingTransfer(transfer: name, target: channel.baseURL, targetCertificate: certificate, token: token, live: live)
        do {
            return try await daemons.send(
                .POST,
                DaemonRoutes.instanceTransfer.path(id: id),
                body: outgoing,
                to: source,
                expecting: TransferAnswer.self,
                deadline: .hours(6)
            )
        } catch DaemonClientError.unreachable(let reason) {
            // The source went silent mid-way. The target knows whether the files arrived whole.
            let there = try await daemons.status(of: id, on: target)
            guard there.installState == .ready else { throw DaemonClientError.unreachable(reason) }
            return TransferAnswer(status: there, bytesSent: 0, downtimeMilliseconds: 0)
        }
    }

    /// The instance runs on the target: its row, its ports and its state move there in one transaction.
    private func arrive(_ instance: Instance, on target: Node, with answer: TransferAnswer, transfer: Transfer) async throws {
        let instanceID = try instance.requireID()
        let sourceID = instance.$node.id
        try await database.inTurn {
            try await database.db().transaction { transaction in
                guard let sql = transaction as? any SQLDatabase else { preconditionFailure("both drivers are SQL databases") }
                try await sql.raw(
                    """
                    UPDATE instances SET node_id = \(bind: try target.requireID()), install_state = \(bind: answer.status.installState.rawValue), \
                    power_state = \(bind: answer.status.powerState.rawValue), reason = \(bind: answer.status.reason), \
                    container_id = \(bind: answer.status.containerID), event_sequence = 0 WHERE id = \(bind: instanceID)
                    """
                ).run()
                try await Allocation.query(on: transaction).filter(\.$instance.$id == instanceID).filter(\.$node.$id == sourceID).delete()
                transfer.state = "done"
                transfer.bytes = answer.bytesSent
                transfer.downtimeMilliseconds = answer.downtimeMilliseconds
                transfer.changedBytes = answer.changedBytes
                transfer.finishedAt = Date()
                try await transfer.save(on: transaction)
            }
        }
        logger.notice("instance \(instanceID) moved to node \(target.name) (\(answer.bytesSent) bytes, stopped \(answer.downtimeMilliseconds) ms)")
        // The target's events until now went unheard: the instance was not its node's yet. Its sequences
        // start over above 0 (another machine's clock), and its state as it is now fills the gap, unless
        // an event arrived meanwhile, which is as new (a node delivers in order).
        guard let now = try? await daemons.status(of: instanceID.uuidString.lowercased(), on: target) else { return }
        try await database.sql().raw(
            """
            UPDATE instances SET install_state = \(bind: now.installState.rawValue), power_state = \(bind: now.powerState.rawValue), \
            reason = \(bind: now.reason), container_id = \(bind: now.containerID) \
            WHERE id = \(bind: instanceID) AND node_id = \(bind: try target.requireID()) AND event_sequence = 0
            """
        ).run()
    }

    /// The target forgets the instance and its ports there are freed; the source runs it as before (it
    /// started it again itself when sending failed).
    private func rollBack(_ transfer: Transfer, instance id: String, target: Node, because error: any Error) async {
        let reason = (error as? DaemonClientError)?.message ?? (error as? PanelError)?.message ?? "\(error)"
        logger.warning("transfer \(transfer.id?.uuidString.lowercased() ?? "") of instance \(id) to node \(target.name) failed: \(reason)")
        var left = ""
        do {
            try await daemons.deleteInstance(id, on: target)
        } catch {
            left = "; node \(target.name) may keep a stopped copy until it is asked again"
        }
        do {
            try await Allocation.query(on: database.db()).filter(\.$instance.$id == transfer.$instance.id).filter(
                \.$node.$id == transfer.targetNodeID
            )
            .delete()
            transfer.state = "failed"
            transfer.error = reason + left
            transfer.finishedAt = Date()
            try await transfer.save(on: database.db())
        } catch {
            logger.error("the failed transfer of instance \(id) could not be recorded: \(error)")
        }
    }

    /// Deletes the copy the instance left on its old node; retried by ``UnfinishedWork`` until it is gone.
    func removeCopy(_ transfer: Transfer, of id: String, from source: Node) async {
        do {
            try await daemons.deleteInstance(id, on: source)
            transfer.sourceRemoved = true
            try await transfer.save(on: database.db())
        } catch {
            logger.warning("the copy instance \(id) left on node \(source.name) waits to be deleted: \(error)")
        }
    }

    /// Finishes the transfers whose panel process stopped mid-way (its register row silent for
    /// ``InstanceStore/abandonedAfter``): the target has the instance ready, so the row moves there and the
    /// source's copy goes; it has not, so the transfer rolls back (the target's copy and its ports go; a
    /// source that was still sending then fails, and starts the instance again itself). A target that
    /// cannot be reached waits for the next round.
    func recoverAbandonedTransfers(at now: Date = Date()) async {
        do {
            let live = try await GrantEpoch(database: database).liveProcesses(seenWithin: Self.abandonedAfter)
            let sending = try await Transfer.query(on: database.db()).filter(\.$state == "sending").all()
            for transfer in sending where isAbandoned(by: transfer.process, begun: transfer.createdAt, live: live, at: now) {
                guard let instance = try await Instance.query(on: database.db()).with(\.$node).filter(\.$id == transfer.$instance.id).first(),
                    let target = try await Node.find(transfer.targetNodeID, on: database.db())
                else { continue }
                let id = transfer.$instance.id.uuidString.lowercased()
                let there: InstanceStatus?
                do {
                    there = try await daemons.status(of: id, on: target)
                } catch DaemonClientError.refused(404, _) {
                    there = nil
                } catch {
                    continue
                }
                guard let there, there.installState == .ready else {
                    await rollBack(
                        transfer,
                        instance: id,
                        target: target,
                        because: PanelError.nodeUnavailable("the panel process carrying it out stopped")
                    )
                    continue
                }
                let source = instance.node
                try await arrive(instance, on: target, with: TransferAnswer(status: there, bytesSent: 0, downtimeMilliseconds: 0), transfer: transfer)
                await removeCopy(transfer, of: id, from: source)
            }
        } catch {
            logger.error("transfers left by a stopped panel process could not be looked for: \(error)")
        }
    }

    /// Retries deleting the copies moved instances left on nodes that did not answer then.
    func removeLeftCopies() async {
        do {
            let left = try await Transfer.query(on: database.db()).filter(\.$state == "done").filter(\.$sourceRemoved == false).all()
            for transfer in left {
                guard let source = try await Node.find(transfer.sourceNodeID, on: database.db()) else {
                    transfer.sourceRemoved = true
                    try await transfer.save(on: database.db())
                    continue
                }
                await removeCopy(transfer, of: transfer.$instance.id.uuidString.lowercased(), from: source)
            }
        } catch {
            logger.error("copies left by transfers could not be looked for: \(error)")
        }
    }
}
