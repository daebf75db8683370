import BerthHTTP
import BerthProtocol
import Foundation
import Hummingbird

/// An instance's backups under `/api/v1/instances/{id}/backups`: list, make, download (streamed through),
/// restore, lock and delete. Every route needs the `backups` permission; reading takes a read key.
struct BackupController<Context: PanelRequestContext>: Sendable {
    let instances: InstanceStore
    let subusers: SubuserStore
    /// The panel's address, which download links start with.
    let publicURL: String

    func addRoutes(to group: RouterGroup<Context>) {
        let backups = group.group("v1/instances/:id/backups")
        let routeGuard = InstanceRouteGuard<Context>(instances: instances, subusers: subusers)
        backups.get { _, context in
            try await routeGuard.answering(context, needs: .read) { id, role in
                try JSONResponse.make(try await instances.backups.list(id, as: role))
            }
        }
        backups.post { request, context in
            try await routeGuard.answering(context, needs: .write) { id, role in
                let fields = try await RequestFields.read(request, only: ["name", "stopFirst"])
                let name = try fields.optionalExactString("name")
                let stopFirst = try fields.optionalBool("stopFirst") ?? false
                return try JSONResponse.make(try await instances.backups.start(id, name: name, stopFirst: stopFirst, as: role), status: .accepted)
            }
        }
        backups.get(":backup/download") { request, context in
            try await routeGuard.answering(context, needs: .read) { id, role in
                let backup = try context.parameters.require("backup")
                let download = try await instances.backups.download(id, backup: backup, range: request.headers[.range], as: role)
                return DownloadResponse.passing(download, named: "backup-\(backup).tar.zst")
            }
        }
        backups.post(":backup/link") { _, context in
            try await routeGuard.answering(context, needs: .read) { id, role in
                let (path, expires) = try await instances.backups.link(id, backup: try context.parameters.require("backup"), as: role)
                let base = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
                return try JSONResponse.make(BackupLinkView(url: base + path, expiresAt: expires.formatted(.iso8601)), status: .created)
            }
        }
        backups.post(":backup/restore") { request, context in
            try await routeGuard.answering(context, needs: .write) { id, role in
                let path = try await RequestFields.read(request, only: ["path"]).optionalExactString("path")
                let backup = try context.parameters.require("backup")
                return try JSONResponse.make(try await instances.backups.restore(id, backup: backup, path: path, as: role))
            }
        }
        backups.patch(":backup") { request, context in
            try await routeGuard.answering(context, needs: .write) { id, role in
                let fields = try await RequestFields.read(request, only: ["locked"])
                guard let locked = try fields.optionalBool("locked") else { throw PanelError.invalid("locked is required: true or false") }
                let backup = try context.parameters.require("backup")
                return try JSONResponse.make(try await instances.backups.setLocked(locked, id: id, backup: backup, as: role))
            }
        }
        backups.delete(":backup") { _, context in
            try await routeGuard.answering(context, needs: .write) { id, role in
                try await instances.backups.delete(id, backup: try context.parameters.require("backup"), as: role)
                return Response(status: .noContent)
            }
        }
    }
}

/// A backup's download link, as `POST …/backups/{backup}/link` answers.
struct BackupLinkView: Codable, Sendable {
    let url: String
    let expiresAt: String
}

/// `GET /api/v1/backup-downloads/{token}`: a backup's archive for whoever holds a link that still works,
/// with no key or session; Range as the download it stands for.
struct BackupLinkController<Context: PanelRequestContext>: Sendable {
    let instances: InstanceStore

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("v1/backup-downloads/:token") { request, context in
            try await withBerthStatuses {
                let (backup, download) = try await instances.backups.download(
                    link: try context.parameters.require("token"),
                    range: request.headers[.range]
                )
                return DownloadResponse.passing(download, named: "backup-\(backup).tar.zst")
            }
        }
    }
}
