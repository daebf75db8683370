import BerthHTTP
import BerthProtocol
import Foundation
import Hummingbird

/// An instance's backups under `/api/v1/instances/{id}/backups`: list, make, download (streamed through),
/// restore, lock and delete. Every route needs the `backups` permission; reading takes a read key.
struct BackupController<Context: PanelRequestContext>: Sendable {
    let instances: InstanceStore
    let subusers: SubuserStore

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
