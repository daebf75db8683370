import BerthHTTP
import BerthProtocol
import FluentKit
import Foundation
import Logging
import NIOCore
import ObjectStorage
import SQLKit

/// What the panel does with instances: deploy, delete, suspend, and apply what nodes report.
package struct InstanceStore: Sendable {
    let database: PanelDatabase
    let subusers: SubuserStore
    let daemons: DaemonClient
    /// When a node counts as online: deploys and power actions go to online nodes only.
    let liveness: NodeLiveness
    /// This panel process, as the database's register of live processes knows it.
    let process: String
    /// Whether instances may publish host ports below 1024, where the node's own services live.
    let allowsLowHostPorts: Bool
    /// The bucket backups go to, when the panel keeps them in object storage.
    let backupBucket: S3Client?
    /// Where backups the API asked for are made, after it answered.
    let background: BackgroundWork
    /// Signs and checks backups' download links.
    let backupLinks: BackupLinks
    /// The hot reads' copies, kept while nothing they show changes.
    let copies: InstanceReadCopies
    let logger: Logger

    package func all() async throws -> [InstanceView] {
        try await views("")
    }

    /// Every instance, oldest first, a page at a time (`GET /api/instances`).
    package func allPaged(pageSize: Int = listPageSize) async throws -> ListPages<InstanceView> {
        try await paged("", pageSize: pageSize)
    }

    /// The instances the user owns or is a subuser of, a page at a time.
    package func reachablePaged(by userID: String, pageSize: Int = listPageSize) async throws -> ListPages<InstanceView> {
        try await paged(Self.whereReachable(by: userID), pageSize: pageSize)
    }

    package func owned(by userID: String) async throws -> [InstanceView] {
        try await views("WHERE i.owner_user_id = \(bind: userID)")
    }

    /// The instances the user owns or is a subuser of.
    package func reachable(by userID: String) async throws -> [InstanceView] {
        try await views(Self.whereReachable(by: userID))
    }

    private static func whereReachable(by userID: String) -> SQLQueryString {
        "WHERE i.owner_user_id = \(bind: userID) OR i.id IN (SELECT instance_id FROM subusers WHERE user_id = \(bind: userID))"
    }

    /// The instances other users let this one into as a subuser.
    package func shared(with userID: String) async throws -> [InstanceView] {
        try await views("WHERE i.id IN (SELECT instance_id FROM subusers WHERE user_id = \(bind: userID))")
    }

    package func view(_ id: String) async throws -> InstanceView? {
        try await copy(id)?.view
    }

    /// The instance's view with its JSON.
    func copy(_ id: String) async throws -> InstanceCopy? {
        // Kept by the id as sent, so that a copy found parses nothing (Foundation parses ids with `sscanf`:
        // a few percent of a request). Only text of an id's length is kept, so the copies stay small.
        guard id.utf8.count == Self.idLength else { return nil }
        return try await copies.byID.value(for: id) {
            guard let uuid = UUID(uuidString: id) else { return nil }
            return try await views("WHERE i.id = \(bind: uuid)").first.map(InstanceCopy.init)
        }
    }

    /// The length of an id's text (`8-4-4-4-12` hexadecimal digits).
    private static let idLength = 36

    /// The JSON of the instances the user with this `userId` owns, or nil when there is no such user.
    func ownedJSON(byExisting userID: String, in users: UserStore) async throws -> ByteBuffer? {
        @Sendable func read() async throws -> ByteBuffer? {
            try await users.exists(userID: userID) ? JSONResponse.written(try await owned(by: userID)).compacted : nil
        }
        // Text longer than any `userId` (128 characters) is read but not kept: the copies stay small whatever
        // a caller sends.
        guard userID.utf8.count <= Self.longestKeptUserID else { return try await read() }
        return try await copies.byOwner.value(for: userID, read: read)
    }

    private static let longestKeptUserID = 512

    /// The read routes' one query: instances with their node's summary, oldest first, in plain SQL.
    private func views(_ condition: SQLQueryString) async throws -> [InstanceView] {
        let query: SQLQueryString =
            "SELECT \(unsafeRaw: InstanceRow.columns) FROM instances i JOIN nodes n ON n.id = i.node_id "
            + condition + " ORDER BY \(unsafeRaw: Self.listOrder)"
        return try await database.sql().raw(query).all(decoding: InstanceRow.self).map(InstanceView.init)
    }

    /// Oldest first; the id orders instances made in the same instant the same way every time.
    private static let listOrder = "i.created_at, i.id"

    /// The ids `condition` picks, in list order, then their views a page at a time.
    private func paged(_ condition: SQLQueryString, pageSize: Int) async throws -> ListPages<InstanceView> {
        struct Row: Decodable { let id: UUID }
        let query: SQLQueryString = "SELECT i.id FROM instances i " + condition + " ORDER BY \(unsafeRaw: Self.listOrder)"
        let ids = try await database.sql().raw(query).all(decoding: Row.self).map(\.id)
        let store = self
        return ListPages(ids: ids[...], pageSize: pageSize) { page in
            try await store.views("WHERE i.id IN (\(binds: page))")
        }
    }

    /// The instance with its node and image and what `user` may do with it, when they reach it: as its
    /// owner, a subuser, or an administrator. Anything else is nil, so no one learns which ids exist.
    package func find(_ id: String, reachableBy user: User) async throws -> ReachableInstance? {
        guard let uuid = UUID(uuidString: id),
            let instance = try await Instance.query(on: database.db()).with(\.$node).with(\.$image).filter(\.$id == uuid)
                .first(),
            let role = try await subusers.role(of: user.userID, admin: user.admin, on: uuid, ownedBy: instance.ownerUserID)
        else { return nil }
        return ReachableInstance(instance: instance, role: role)
    }

    /// The instance with this id, with its node loaded.
    func find(_ id: String) async throws -> Instance? {
        guard let uuid = UUID(uuidString: id) else { return nil }
        return try await Instance.query(on: database.db()).with(\.$node).filter(\.$id == uuid).first()
    }

    // MARK: - Deploy

    /// Checks everything, reserves the ports with the row in one transaction, then asks the node.
    /// Returns the new instance's id; throws ``PanelError`` for bad input and leaves nothing behind on failure.
    package func deploy(_ request: DeployRequest) async throws -> String {
        if !allowsLowHostPorts, case .listed(let ports, _) = request.ports, let low = ports.first(where: { $0.hostPort < 1024 }) {
            throw PanelError.invalid(
                "ports: host port \(low.hostPort) is below 1024, where the node's own services listen; the panel allows it only with --allow-low-ports"
            )
        }
        let db = database.db()
        guard try await User.query(on: db).filter(\.$userID == request.userID).first() != nil else {
            throw PanelError.notFound("user \(request.userID) does not exist")
        }
        guard let nodeUUID = UUID(uuidString: request.nodeID), let node = try await Node.find(nodeUUID, on: db) else {
            throw PanelError.notFound("node \(request.nodeID) does not exist")
        }
        try liveness.requireOnline(node)
        guard !node.maintenance else { throw PanelError.conflict("node \(node.name) is in maintenance; it takes no new instances") }
        let image = try await findImage(request)
        guard let definition = image.decodedDefinition else {
            throw PanelError.corrupt("the image \(image.name) is stored in a shape this panel cannot read")
        }
        try definition.check(request.variables, allowingUndeclared: request.acceptsUndeclaredVariables)
        // The deploy may name one of the image's alternatives (e.g. another Java version); anything else runs the main one.
        let dockerImage = definition.dockerImages.contains(request.image) ? request.image : definition.image

        let instance = Instance()
        instance.id = UUID()
        instance.name = request.name
        instance.$node.id = nodeUUID
        instance.ownerUserID = request.userID
        instance.$image.id = try image.requireID()
        instance.dockerImage = dockerImage
        instance.memory = request.memory
        instance.cpu = request.cpu
        // A deploy that names no disk gets the node's default limit, if its admin set one.
        instance.disk = request.disk ?? node.allocationPolicy.defaultDiskMiB
        instance.processes = ResourceLimits.defaultProcesses
        instance.extraPortLimit = 0
        instance.backupLimit = InstanceBackups.defaultLimit
        instance.backupSizeLimit = 0
        instance.settingsRevision = 0
        instance.eulaAccepted = false
        instance.variables = String(decoding: try JSONEncoder().encode(request.variables), as: UTF8.self)
        instance.installState = InstallState.installing.rawValue
        instance.powerState = PowerState.offline.rawValue
        instance.suspended = false
        instance.deleting = false
        instance.eventSequence = 0
        instance.deployingProcess = process
        let instanceID = try instance.requireID()
        do {
            try await database.inTurn {
                try await db.transaction { transaction in
                    // Capacity and ports are settled where the row is written, under the node's lock: N deploys
                    // at once never admit more than fits, nor hand out one port twice.
                    try await Self.checkCapacity(of: node, memory: request.memory, cpu: request.cpu, on: transaction)
                    let (ports, primaryPort) = try await Self.hostPorts(request.ports, on: node, in: transaction)
                    instance.ports = String(decoding: try JSONEncoder().encode(ports), as: UTF8.self)
                    instance.primaryPort = primaryPort
                    try await instance.create(on: transaction)
                    for mapping in ports {
                        try await Allocation(nodeID: nodeUUID, port: mapping.hostPort, instanceID: instanceID).create(on: transaction)
                    }
                }
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Ports from the ranges are picked under the node's lock, so only listed ones can clash.
            guard case .listed(let listed, _) = request.ports else {
                throw PanelError.conflict("a port picked for the instance was taken meanwhile; deploy again")
            }
            let taken = try await Allocation.query(on: db).filter(\.$node.$id == nodeUUID).filter(\.$port ~~ listed.map(\.hostPort)).all().map(\.port)
            throw PanelError.conflict("port \(taken.map(String.init).joined(separator: ", ")) is already allocated on node \(node.name)")
        }

        // An image that asks for an EULA waits for its owner to accept it, whatever the deploy asked.
        let starts = request.startsWhenInstalled && !definition.asksForEULA
        let specification = try specification(of: instance, definition: definition, startsWhenInstalled: starts)
        do {
            _ = try await daemons.createInstance(specification, on: node)
        } catch DaemonClientError.refused(let status, let message) {
            // The node refused it, so it has nothing: remove the row and free its ports.
            try await instance.delete(on: db)
            if status == 400 { throw PanelError.invalid(message) }
            throw PanelError.nodeFailed("the instance could not be deployed: the node refused: \(message)")
        } catch DaemonClientError.untrusted(let reason) {
            // Nothing was sent, so the node has nothing either.
            try await instance.delete(on: db)
            throw PanelError.nodeFailed("the instance could not be deployed: the node is not trusted: \(reason)")
        } catch let error as DaemonClientError {
            // No answer: the node may have taken it. Delete it the careful way, retried until the node confirms.
            instance.deleting = true
            try await instance.save(on: db)
            throw PanelError.nodeFailed("the instance could not be deployed: \(error.message); it is being removed again")
        }
        // Taken by its node. Another replica that found this process gone may have rolled it back meanwhile.
        guard try await confirmDeploy(instanceID, by: process) else {
            throw PanelError.nodeUnavailable("the instance was rolled back while its node took long to answer; deploy again")
        }
        await outbox.post(.deployed, about: instance)
        return instanceID.uuidString.lowercased()
    }

    private func findImage(_ request: DeployRequest) async throws -> Image {
        let db = database.db()
        if let name = request.imageName, let image = try await Image.query(on: db).filter(\.$name == name).first() {
            return image
        }
        if let uuid = UUID(uuidString: request.image), let image = try await Image.find(uuid, on: db) {
            return image
        }
        if let image = try await Image.query(on: db).group(.or, { $0.filter(\.$name == request.image).filter(\.$dockerImage == request.image) })
            .first()
        {
            return image
        }
        // An alternative image of a known definition.
        for image in try await Image.query(on: db).all() {
            if let definition = image.decodedDefinition, (definition.altImages ?? []).contains(request.image) {
                return image
            }
        }
        throw PanelError.notFound("image \(request.imageName ?? request.image) does not exist")
    }

    /// Within a transaction: locks the node's row first (a write, so SQLite takes its write lock and
    /// PostgreSQL the row lock before anything is read), then sums what its instances take. A second
    /// deploy to the node waits at the lock and then sees the first one's row.
    static func checkCapacity(of node: Node, memory: Int, cpu: Double, on transaction: any Database) async throws {
        guard let sql = transaction as? any SQLDatabase else { preconditionFailure("both drivers are SQL databases") }
        let nodeID = try node.requireID()
        try await lock(node, in: transaction)
        // Sums in the database: loading every instance of the node made each deploy slower than the last.
        // The casts give both databases' SUM one type (PostgreSQL's SUM of a bigint is a numeric).
        let query: SQLQueryString = """
            SELECT CAST(COALESCE(SUM(memory), 0) AS BIGINT) AS memory, CAST(COALESCE(SUM(cpu), 0) AS DOUBLE PRECISION) AS cpu \
            FROM instances WHERE node_id = \(bind: nodeID)
            """
        let used = try await sql.raw(query).first(decoding: UsedCapacity.self)
        let usedMemory = used?.memory ?? 0
        let usedCPU = used?.cpu ?? 0
        let policy = node.allocationPolicy
        if let memoryLimit = NodeAllocationPolicy.promisable(Double(node.ram), overallocation: policy.memoryOverallocation),
            Double(usedMemory + memory) > memoryLimit
        {
            throw PanelError.insufficientCapacity("memory: the node has \(max(0, Int(memoryLimit) - usedMemory)) MiB free, \(memory) MiB asked")
        }
        guard let cores = node.cores else {
            throw PanelError.nodeUnavailable("node \(node.name) has not reported its cores yet; it takes deploys once its daemon has")
        }
        if let cpuLimit = NodeAllocationPolicy.promisable(cores, overallocation: policy.cpuOverallocation), usedCPU + cpu > cpuLimit + 1e-9 {
            throw PanelError.insufficientCapacity("cpu: the node has \(max(0, cpuLimit - usedCPU)) cores free, \(cpu) asked")
        }
    }

    /// Within the deploy's transaction, after the node's lock: the listed ports as they are, or free ports
    /// of the node's ranges (each published at the same port inside). The allocations' unique index still
    /// guards both.
    static func hostPorts(_ request: PortRequest, on node: Node, in transaction: any Database) async throws -> ([PortMapping], Int) {
        switch request {
        case .listed(let ports, let primary):
            return (ports, primary)
        case .fromRanges(let count):
            let ranges = node.allocationPolicy.portRanges
            guard !ranges.isEmpty else {
                throw PanelError.invalid(
                    "ports: node \(node.name) has no port ranges to take ports from; send ports, or have an admin give it ranges"
                )
            }
            let taken = Set(try await Allocation.query(on: transaction).filter(\.$node.$id == node.requireID()).all().map(\.port))
            guard let free = ranges.firstFree(count, excluding: taken) else {
                throw PanelError.insufficientCapacity("ports: node \(node.name) has fewer than \(count) free port(s) left in its ranges \(ranges)")
            }
            let ports = free.map { PortMapping(hostPort: $0, containerPort: $0) }
            return (ports, free[0])
        }
    }

    /// Within a transaction: takes the node's row lock (a write, so SQLite takes its write lock and
    /// PostgreSQL the row lock before anything is read). Whatever is decided about the node's room and ports
    /// after it, no other transaction decides at the same time.
    static func lock(_ node: Node, in transaction: any Database) async throws {
        guard let sql = transaction as? any SQLDatabase else { preconditionFailure("both drivers are SQL databases") }
        try await sql.raw("UPDATE nodes SET id = id WHERE id = \(bind: try node.requireID())").run()
    }

    /// What a node's instances take of it.
    private struct UsedCapacity: Decodable {
        let memory: Int
        let cpu: Double
    }

    // MARK: - Delete

    package enum DeletionOutcome {
        case deleted
        /// The node could not confirm; the instance stays marked `deleting` and is retried.
        case pending(String)
    }

    package func delete(_ id: String) async throws -> DeletionOutcome {
        guard let instance = try await find(id) else { throw PanelError.notFound("no instance with that id") }
        instance.deleting = true
        try await instance.save(on: database.db())
        return try await finishDeletion(instance)
    }

    /// Asks the node to delete the instance and removes the row once it confirms.
    func finishDeletion(_ instance: Instance) async throws -> DeletionOutcome {
        let id = try instance.requireID().uuidString.lowercased()
        do {
            try await daemons.deleteInstance(id, on: instance.node)
        } catch let error as DaemonClientError {
            logger.warning("deleting instance \(id) waits for its node: \(error.message)")
            return .pending(error.message)
        }
        do {
            try await backups.removeFromBucket(of: instance)
        } catch {
            logger.warning("deleting instance \(id) waits for its backups in object storage: \(error)")
            return .pending("\(error)")
        }
        // Posted before the row goes: the instance's own webhooks go with it, and hear of it no more.
        await outbox.post(.deleted, about: instance)
        try await instance.delete(on: database.db())
        return .deleted
    }

    /// Retries every deletion a node has not confirmed yet.
    func retryPendingDeletions() async {
        do {
            let pending = try await Instance.query(on: database.db()).with(\.$node).filter(\.$deleting == true).all()
            for instance in pending {
                _ = try await finishDeletion(instance)
            }
        } catch {
            logger.error("pending deletions could not be retried: \(error)")
        }
    }

    // MARK: - Suspension

    package func setSuspended(_ suspended: Bool, _ id: String) async throws -> InstanceView {
        guard let instance = try await find(id) else { throw PanelError.notFound("no instance with that id") }
        guard !instance.deleting else { throw PanelError.conflict("the instance is being deleted") }
        do {
            try await daemons.setSuspended(suspended, instance: id.lowercased(), on: instance.node)
        } catch let error as DaemonClientError {
            throw error.failing("the instance was not \(suspended ? "suspended" : "unsuspended")")
        }
        instance.suspended = suspended
        try await instance.save(on: database.db())
        return InstanceView(instance, node: instance.node)
    }

    // MARK: - What nodes report

    /// Applies a node's events to its own instances, ignoring repeats and events for other nodes' instances.
    func apply(_ events: [InstanceEvent], from node: Node) async throws {
        let nodeID = try node.requireID()
        for event in events {
            guard let uuid = UUID(uuidString: event.status.id),
                let instance = try await Instance.query(on: database.db()).filter(\.$id == uuid).filter(\.$node.$id == nodeID).first(),
                event.sequence > instance.eventSequence
            else { continue }
            let before = (install: instance.installState, power: instance.powerState)
            // Written only over an older event: two requests carrying this node's events at once (a retry
            // beside a new batch, or replicas behind one address) never leave an older state over a newer.
            let written = try await database.sql().raw(
                """
                UPDATE instances SET event_sequence = \(bind: event.sequence), install_state = \(bind: event.status.installState.rawValue), \
                power_state = \(bind: event.status.powerState.rawValue), reason = \(bind: event.status.reason), \
                container_id = \(bind: event.status.containerID) \
                WHERE id = \(bind: uuid) AND event_sequence < \(bind: event.sequence) RETURNING id
                """
            ).all()
            guard !written.isEmpty else { continue }
            instance.eventSequence = event.sequence
            instance.installState = event.status.installState.rawValue
            instance.powerState = event.status.powerState.rawValue
            instance.reason = event.status.reason
            instance.containerID = event.status.containerID
            for (change, details) in Self.webhookEvents(from: before, to: event.status, lastLines: event.lastLines) {
                await outbox.post(change, about: instance, details: details)
            }
        }
    }

    /// What webhooks hear of when an instance's state goes from `before` to `status`.
    static func webhookEvents(
        from before: (install: String, power: String),
        to status: InstanceStatus,
        lastLines: [String]? = nil
    )
        -> [(WebhookEvent, WebhookPayload.Details)]
    {
        var events: [(WebhookEvent, WebhookPayload.Details)] = []
        if before.install != status.installState.rawValue {
            switch status.installState {
            case .ready: events.append((.installFinished, .init()))
            case .failed: events.append((.installFailed, .init(reason: status.reason)))
            case .installing: break
            }
        }
        if before.power != status.powerState.rawValue {
            switch status.powerState {
            case .running: events.append((.started, .init()))
            case .offline where before.power != PowerState.crashed.rawValue: events.append((.stopped, .init(exitCode: status.lastExitCode)))
            case .crashed:
                events.append(
                    (.crashed, .init(exitCode: status.lastExitCode, reason: status.reason, lastLines: lastLines.map(WebhookPayload.readable)))
                )
            default: break
            }
        }
        return events
    }

    /// Where events are posted for webhooks.
    var outbox: WebhookOutbox { WebhookOutbox(database: database, logger: logger) }
}
