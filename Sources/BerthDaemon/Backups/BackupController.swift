import BerthHTTP
import BerthProtocol
import Foundation
import Hummingbird

/// The daemon's backup routes: the panel names each backup by a UUID and keeps its record; the node keeps
/// the archive.
struct BackupController<Context: RequestContext>: Sendable {
    let supervisor: InstanceSupervisor

    func addRoutes(to group: RouterGroup<Context>) {
        group.put(RouterPath(DaemonRoutes.backup.pattern)) { request, context in
            let (id, backup) = try Self.names(context)
            let body = try await request.collectBody()
            let asked = body.isEmpty ? BackupRequest() : try Request.decodeJSON(as: BackupRequest.self, from: body)
            return try JSONResponse.make(try await supervisor.backUp(id, as: backup, stopFirst: asked.stopFirst), status: .created)
        }
        group.get(RouterPath(DaemonRoutes.backupProgress.pattern)) { _, context in
            let (id, backup) = try Self.names(context)
            return try JSONResponse.make(try await supervisor.progress(of: backup, of: id))
        }
        group.get(RouterPath(DaemonRoutes.backup.pattern)) { request, context in
            let (id, backup) = try Self.names(context)
            _ = try await supervisor.status(of: id)
            return try FileDownload.response(for: try await supervisor.backups.open(backup, of: id), request: request)
        }
        group.delete(RouterPath(DaemonRoutes.backup.pattern)) { _, context in
            let (id, backup) = try Self.names(context)
            try await supervisor.backups.remove(backup, of: id)
            return Response(status: .noContent)
        }
        group.post(RouterPath(DaemonRoutes.backupRestore.pattern)) { request, context in
            let (id, backup) = try Self.names(context)
            let restore = try await request.decodeJSON(as: RestoreRequest.self)
            let summary =
                if let source = restore.source {
                    try await supervisor.restore(
                        restore.path,
                        into: id,
                        from: backup,
                        sha256: restore.sha256,
                        fetching: source,
                        size: restore.size ?? 0
                    )
                } else if let path = restore.path {
                    try await supervisor.restore(path, into: id, from: backup, sha256: restore.sha256)
                } else {
                    try await supervisor.restore(id, from: backup, sha256: restore.sha256)
                }
            return try JSONResponse.make(ExtractionAnswer(entries: summary.entries, bytes: summary.bytes, skipped: summary.skipped))
        }
        group.post(RouterPath(DaemonRoutes.backupUpload.pattern)) { request, context in
            let (id, backup) = try Self.names(context)
            let upload = try await request.decodeJSON(as: BackupUpload.self)
            return try JSONResponse.make(try await supervisor.upload(backup, of: id, parts: upload.parts))
        }
    }

    private static func names(_ context: Context) throws -> (instance: String, backup: String) {
        let backup = try context.parameters.require("backup")
        _ = try BackupArchives.fileName(of: backup)
        return (try context.parameters.require("id"), backup.lowercased())
    }
}
