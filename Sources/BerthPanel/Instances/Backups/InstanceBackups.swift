import AsyncHTTPClient
import BerthProtocol
import FluentKit
import Foundation
import ObjectStorage

/// An instance's backups: the panel keeps each one's record (name, state, size, checksum, lock), the
/// instance's node keeps the archive. Every call needs the `backups` permission.
package struct InstanceBackups: Sendable {
    let store: InstanceStore

    /// How many backups a new instance may keep until an admin sets its `backupLimit`.
    package static let defaultLimit = 3

    /// The instance's backups, newest first; one being made says how far it has come (as its node says).
    package func list(_ id: String, as role: InstanceRole) async throws -> [BackupView] {
        let instance = try await instance(id, as: role)
        let backups = try await Backup.query(on: store.database.db()).filter(\.$instance.$id == instance.requireID())
            .sort(\.$createdAt, .descending).all()
        var views: [BackupView] = []
        for backup in backups {
            var view = BackupView(backup)
            if view.state == .creating { view.progress = await progress(of: view.id, of: instance) }
            views.append(view)
        }
        return views
    }

    /// Starts a backup of the instance's volume and answers at once, with it `creating`: the node makes it
    /// meanwhile (``list(_:as:)`` shows how far it has come), and it ends `ready` or `failed`, as with
    /// ``create(_:name:stopFirst:as:rotating:)``.
    package func start(_ id: String, name: String?, stopFirst: Bool = false, as role: InstanceRole) async throws -> BackupView {
        let (instance, backup) = try await begin(id, name: name, as: role, rotating: false)
        // The view first: the record is the background's to change from here on.
        let view = BackupView(backup)
        store.background.submit { [self] in
            _ = try? await make(backup, of: instance, stopFirst: stopFirst, rotating: false)
        }
        return view
    }

    /// Makes a backup of the instance's volume, named `name` or after the time; answers once the node has
    /// written it (and sent it to the bucket, when the panel keeps backups there). Refused past the
    /// instance's limit. A node that fails leaves the record `failed`, with why. With `stopFirst`, the node
    /// stops the instance for the backup and starts it again after. With `rotating` (a schedule's backup),
    /// the oldest unlocked backups are deleted first to make room.
    package func create(
        _ id: String,
        name: String?,
        stopFirst: Bool = false,
        as role: InstanceRole,
        rotating: Bool = false
    ) async throws
        -> BackupView
    {
        let (instance, backup) = try await begin(id, name: name, as: role, rotating: rotating)
        return try await make(backup, of: instance, stopFirst: stopFirst, rotating: rotating)
    }

    /// Checks and records a new backup, `creating`.
    private func begin(_ id: String, name: String?, as role: InstanceRole, rotating: Bool) async throws -> (Instance, Backup) {
        let instance = try await instance(id, as: role)
        let instanceID = try instance.requireID()
        let name = try Self.checkedName(name)
        if rotating { try await rotate(instance) }
        try await checkAdmission(for: instanceID, limit: instance.backupLimit, counting: nil)
        let backup = Backup(id: UUID(), instanceID: instanceID, name: name)
        try await backup.create(on: store.database.db())
        // Two requests at once may both have been admitted: checked again with the row in, at most one of
        // them stays over the limit, and goes; so do all but the first of backups begun together.
        do {
            try await checkAdmission(for: instanceID, limit: instance.backupLimit, counting: backup)
        } catch {
            try await backup.delete(on: store.database.db())
            throw error
        }
        return (instance, backup)
    }

    /// Has the node write the recorded backup (and send it to the bucket), and records how that ended. A
    /// backup that takes the instance's backups past their total size is not kept, unless `rotating` makes
    /// room by deleting the oldest unlocked ones.
    private func make(_ backup: Backup, of instance: Instance, stopFirst: Bool, rotating: Bool) async throws -> BackupView {
        let id = try instance.requireID().uuidString.lowercased()
        let backupID = try backup.requireID().uuidString.lowercased()
        let name = backup.name
        do {
            let summary = try await InstanceFiles.asking {
                try await store.daemons.send(
                    .PUT,
                    Self.route(DaemonRoutes.backup, instance: id, backup: backupID),
                    body: BackupRequest(stopFirst: stopFirst),
                    to: instance.node,
                    expecting: BackupSummary.self,
                    deadline: DaemonClient.transferDeadline
                )
            }
            try await checkTotalSize(with: backup, of: summary.size, of: instance, rotating: rotating)
            if let bucket = store.backupBucket {
                try await upload(backupID, of: instance, size: summary.size, to: bucket)
                backup.storage = BackupStorage.s3.rawValue
            }
            backup.state = BackupState.ready.rawValue
            backup.size = summary.size
            backup.sha256 = summary.sha256
        } catch {
            // Whatever the node wrote is no backup now.
            try? await deleteNodeCopy(of: backupID, of: instance)
            backup.state = BackupState.failed.rawValue
            backup.failure = (error as? PanelError)?.message ?? "\(error)"
            backup.completedAt = Date()
            try await backup.save(on: store.database.db())
            await store.outbox.post(.backupFailed, about: instance, details: .init(reason: backup.failure, backupId: backupID, backupName: name))
            throw error
        }
        backup.completedAt = Date()
        try await backup.save(on: store.database.db())
        await store.outbox.post(.backupFinished, about: instance, details: .init(backupId: backupID, backupName: name, backupSize: backup.size))
        return BackupView(backup)
    }

    /// The archive's bytes, streamed from the node or the bucket.
    package func download(_ id: String, backup backupID: String, range: String?, as role: InstanceRole) async throws -> HTTPClientResponse {
        let (instance, backup) = try await find(backupID, of: id, as: role)
        return try await stream(backup, of: instance, range: range)
    }

    /// A link that downloads the backup without a key or a session, for ``BackupLinks/lifetime``: the
    /// link's path (under the panel's address) and when it stops working.
    package func link(_ id: String, backup backupID: String, as role: InstanceRole) async throws -> (path: String, expires: Date) {
        let (_, backup) = try await find(backupID, of: id, as: role)
        guard backup.state == BackupState.ready.rawValue else { throw PanelError.conflict("the backup is \(backup.state), not ready") }
        let expires = Date().addingTimeInterval(BackupLinks.lifetime)
        return ("/api/v1/backup-downloads/" + store.backupLinks.token(for: try backup.requireID().uuidString, expiring: expires), expires)
    }

    /// The archive a link names, while the link works: what its backup's download gives. A link that does
    /// not work, and one whose backup is gone, is not found, and says no more.
    package func download(link token: String, range: String?) async throws -> (backup: String, download: HTTPClientResponse) {
        guard let backupID = store.backupLinks.backup(in: token), let uuid = UUID(uuidString: backupID),
            let backup = try await Backup.query(on: store.database.db()).filter(\.$id == uuid).first(),
            let instance = try await Instance.query(on: store.database.db()).with(\.$node).filter(\.$id == backup.$instance.id).first(),
            !instance.deleting
        else {
            throw PanelError.notFound("this download link does not work: it expired, or its backup is gone")
        }
        return (backupID, try await stream(backup, of: instance, range: range))
    }

    private func stream(_ backup: Backup, of instance: Instance, range: String?) async throws -> HTTPClientResponse {
        guard backup.state == BackupState.ready.rawValue else { throw PanelError.conflict("the backup is \(backup.state), not ready") }
        let id = try instance.requireID().uuidString.lowercased()
        let backupID = try backup.requireID().uuidString.lowercased()
        if backup.storage == BackupStorage.s3.rawValue {
            let key = Self.objectKey(instance: id, backup: backupID)
            return try await Self.storing { try await bucket(for: backup).get(key: key, range: range) }
        }
        return try await InstanceFiles.asking {
            try await store.daemons.download(Self.route(DaemonRoutes.backup, instance: id, backup: backupID), range: range, on: instance.node)
        }
    }

    /// Replaces the instance's files with the backup's; the node stops the instance for the swap and starts
    /// it again if it ran. A backup whose archive no longer has its recorded checksum is refused (409), and
    /// the files stay as they are.
    /// With `path`, only that file or folder is restored, and the instance runs on.
    package func restore(_ id: String, backup backupID: String, path: String? = nil, as role: InstanceRole) async throws -> ExtractionAnswer {
        let (instance, backup) = try await find(backupID, of: id, as: role)
        guard backup.state == BackupState.ready.rawValue, let sha256 = backup.sha256 else {
            throw PanelError.conflict("the backup is \(backup.state), not ready to restore")
        }
        var request = RestoreRequest(sha256: sha256, path: path)
        if backup.storage == BackupStorage.s3.rawValue {
            request.source = ObjectRequest(try bucket(for: backup).objectDownload(key: Self.objectKey(instance: id, backup: backupID)))
            request.size = backup.size
        }
        return try await InstanceFiles.asking {
            try await store.daemons.send(
                .POST,
                Self.route(DaemonRoutes.backupRestore, instance: id, backup: backupID),
                body: request,
                to: instance.node,
                expecting: ExtractionAnswer.self,
                deadline: DaemonClient.transferDeadline
            )
        }
    }

    /// Removes the archive from the node, then the record; a locked backup is refused. An archive the node
    /// no longer has is no reason to keep the record.
    package func delete(_ id: String, backup backupID: String, as role: InstanceRole) async throws {
        let (instance, backup) = try await find(backupID, of: id, as: role)
        try await remove(backup, of: instance)
    }

    private func remove(_ backup: Backup, of instance: Instance) async throws {
        guard !backup.locked else { throw PanelError.conflict("the backup is locked; unlock it before deleting it") }
        guard backup.effectiveState() != .creating else { throw PanelError.conflict("the backup is still being made") }
        let id = try instance.requireID().uuidString
        let backupID = try backup.requireID().uuidString
        if backup.storage == BackupStorage.s3.rawValue {
            let key = Self.objectKey(instance: id, backup: backupID)
            try await Self.storing { try await bucket(for: backup).deleteObject(key: key) }
            try await backup.delete(on: store.database.db())
            return
        }
        do {
            try await InstanceFiles.asking { try await deleteNodeCopy(of: backupID, of: instance) }
        } catch PanelError.notFound {
            // Never written (a failed backup), or removed on the node by hand.
        }
        try await backup.delete(on: store.database.db())
    }

    package func setLocked(_ locked: Bool, id: String, backup backupID: String, as role: InstanceRole) async throws -> BackupView {
        let (_, backup) = try await find(backupID, of: id, as: role)
        backup.locked = locked
        try await backup.save(on: store.database.db())
        return BackupView(backup)
    }

    /// Deletes the oldest unlocked, finished backups until one more fits under `limit`; locked ones stay,
    /// and then the new backup is refused as any other.
    private func rotate(_ instance: Instance) async throws {
        let kept = try await keptBackups(of: try instance.requireID())
        let removable = kept.filter { !$0.locked && $0.effectiveState() == .ready }
        for backup in removable.prefix(max(0, kept.count - instance.backupLimit + 1)) {
            try await remove(backup, of: instance)
        }
    }

    /// Refuses another backup when the instance keeps as many as it may, or while one of it is being made
    /// (a node makes one backup of an instance at a time). With `counting`, that backup (just recorded) is
    /// among those counted: it must be one of the `limit` oldest, and the first of those being made.
    private func checkAdmission(for instanceID: UUID, limit: Int, counting made: Backup?) async throws {
        let kept = try await keptBackups(of: instanceID)
        let others = kept.filter { $0.id != made?.id }
        let fits = made.map { made in kept.prefix(limit).contains { $0.id == made.id } } ?? (others.count < limit)
        guard fits else {
            throw PanelError.conflict("the instance keeps \(others.count) backup(s) and may keep \(limit); delete one first")
        }
        let underWay = kept.filter { $0.effectiveState() == .creating }
        guard underWay.first.map({ $0.id == made?.id }) ?? true else {
            throw PanelError.conflict("a backup of the instance is being made; wait until it is ready")
        }
    }

    /// Asks the instance's node to delete its archive of the backup.
    func deleteNodeCopy(of backupID: String, of instance: Instance) async throws {
        let route = Self.route(DaemonRoutes.backup, instance: try instance.requireID().uuidString, backup: backupID)
        _ = try await store.daemons.send(.DELETE, route, body: Optional<String>.none, to: instance.node)
    }

    /// How far the node has come with a backup being made; nil when it cannot say (not under way there).
    private func progress(of backupID: String, of instance: Instance) async -> Int? {
        let route = Self.route(DaemonRoutes.backupProgress, instance: (try? instance.requireID().uuidString) ?? "", backup: backupID)
        let progress = try? await store.daemons.send(.GET, route, body: Optional<String>.none, to: instance.node, expecting: BackupProgress.self)
        return progress?.percent
    }

    /// Refuses a backup of `size` bytes that takes the instance's kept backups past its total size limit;
    /// with `rotating`, the oldest unlocked ones are deleted first, as far as that makes room.
    private func checkTotalSize(with made: Backup, of size: Int64, of instance: Instance, rotating: Bool) async throws {
        guard instance.backupSizeLimit > 0 else { return }
        let limit = Int64(instance.backupSizeLimit) << 20
        var others = try await keptBackups(of: try instance.requireID()).filter { $0.id != made.id && $0.effectiveState() == .ready }
        func taken() -> Int64 { others.compactMap(\.size).reduce(0, +) }
        while rotating, taken() + size > limit, let oldest = others.first(where: { !$0.locked }) {
            try await remove(oldest, of: instance)
            others.removeAll { $0.id == oldest.id }
        }
        guard taken() + size <= limit else {
            throw PanelError.conflict(
                "the backup takes \(ByteCount.text(size)); with the instance's other backups (\(ByteCount.text(taken()))) that is more than "
                    + "the \(instance.backupSizeLimit) MiB they may take together; delete one first"
            )
        }
    }

    // MARK: - Finding

    /// The backups that count against the limit (all but failed ones), oldest first.
    private func keptBackups(of instanceID: UUID) async throws -> [Backup] {
        try await Backup.query(on: store.database.db()).filter(\.$instance.$id == instanceID)
            .sort(\.$createdAt).sort(\.$id).all().filter { $0.effectiveState() != .failed }
    }

    private func instance(_ id: String, as role: InstanceRole) async throws -> Instance {
        try role.require(.backups)
        guard let uuid = UUID(uuidString: id),
            let instance = try await Instance.query(on: store.database.db()).with(\.$node).filter(\.$id == uuid).first()
        else {
            throw PanelError.notFound("no instance with that id")
        }
        guard !instance.deleting else { throw PanelError.conflict("the instance is being deleted") }
        return instance
    }

    /// The backup, only when it is one of this instance's: another instance's id is not found.
    private func find(_ backupID: String, of id: String, as role: InstanceRole) async throws -> (Instance, Backup) {
        let instance = try await instance(id, as: role)
        guard let uuid = UUID(uuidString: backupID),
            let backup = try await Backup.query(on: store.database.db()).filter(\.$id == uuid)
                .filter(\.$instance.$id == instance.requireID()).first()
        else {
            throw PanelError.notFound("the instance has no backup with that id")
        }
        return (instance, backup)
    }

    static func checkedName(_ name: String?) throws -> String {
        guard let name else { return "Backup of " + Date().formatted(.iso8601) }
        // Counted as JSON Schema counts (code points), so the document's maxLength says the same.
        guard name.unicodeScalars.count <= 200 else { throw PanelError.invalid("name must be at most 200 characters") }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw PanelError.invalid("name must not hold control characters")
        }
        return name
    }

    static func route(_ route: RoutePath, instance id: String, backup: String) -> String {
        route.path(id: id.lowercased()).replacingOccurrences(of: ":backup", with: backup.lowercased())
    }
}

extension InstanceStore {
    /// The instances' backups, through their nodes.
    package var backups: InstanceBackups { InstanceBackups(store: self) }
}
