import BerthHTTP
import BerthProtocol
import ConfinedFiles
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The daemon's file routes: every one opens the instance's volume through ``ConfinedDirectory``, so
/// nothing a tenant planted there leads a request out of it. Paths come in the `path` query item or
/// the JSON body, relative to the volume.
struct FileController<Context: RequestContext>: Sendable {
    let supervisor: InstanceSupervisor

    func addRoutes(to group: RouterGroup<Context>) {
        group.get(RouterPath(DaemonRoutes.files.pattern)) { request, context in
            let files = try await volume(context)
            let path = request.uri.queryParameters.get("path") ?? "/"
            let listing = try files.list(path).map(VolumeEntry.init).sorted(by: Self.foldersFirst)
            return try JSONResponse.make(FolderListing(path: try ConfinedPath(path).description, entries: listing))
        }
        group.get(RouterPath(DaemonRoutes.fileEntry.pattern)) { request, context in
            try JSONResponse.make(VolumeEntry(try await volume(context).entry(at: try Self.path(of: request))))
        }
        group.get(RouterPath(DaemonRoutes.fileContents.pattern)) { request, context in
            try FileDownload.response(for: try await volume(context).openFile(try Self.path(of: request)), request: request)
        }
        group.put(RouterPath(DaemonRoutes.fileContents.pattern)) { request, context in
            let files = try await volume(context)
            let path = try Self.path(of: request)
            let writer = try files.beginWrite(to: path)
            for try await buffer in request.body {
                try buffer.withUnsafeReadableBytes { try writer.append($0) }
            }
            try writer.commit()
            return try JSONResponse.make(VolumeEntry(try files.entry(at: path)), status: .created)
        }
        group.post(RouterPath(DaemonRoutes.folders.pattern)) { request, context in
            let folder = try await request.decodeJSON(as: FolderRequest.self)
            let files = try await volume(context)
            try files.makeFolder(folder.path)
            return try JSONResponse.make(VolumeEntry(try files.entry(at: folder.path)), status: .created)
        }
        group.post(RouterPath(DaemonRoutes.fileMove.pattern)) { request, context in
            let move = try await request.decodeJSON(as: FileTransferRequest.self)
            let files = try await volume(context)
            try files.move(move.from, to: move.to)
            return try JSONResponse.make(VolumeEntry(try files.entry(at: move.to)))
        }
        group.post(RouterPath(DaemonRoutes.fileCopy.pattern)) { request, context in
            let copy = try await request.decodeJSON(as: FileTransferRequest.self)
            let files = try await volume(context)
            try files.copy(copy.from, to: copy.to)
            return try JSONResponse.make(VolumeEntry(try files.entry(at: copy.to)), status: .created)
        }
        group.post(RouterPath(DaemonRoutes.fileDeletion.pattern)) { request, context in
            let deletion = try await request.decodeJSON(as: FileDeletionRequest.self)
            let files = try await volume(context)
            // Each path is checked before any is deleted, so a bad one in the list deletes nothing.
            for path in deletion.paths { _ = try files.entry(at: path) }
            for path in deletion.paths { try files.delete(path) }
            return Response(status: .noContent)
        }
        group.post(RouterPath(DaemonRoutes.fileMode.pattern)) { request, context in
            let change = try await request.decodeJSON(as: FileModeRequest.self)
            guard let mode = UInt32(change.mode, radix: 8) else {
                throw APIError.badRequest("mode must be octal permission bits, such as 644 or 755")
            }
            let files = try await volume(context)
            try files.setMode(mode, of: change.path)
            return try JSONResponse.make(VolumeEntry(try files.entry(at: change.path)))
        }
    }

    private func volume(_ context: Context) async throws -> ConfinedDirectory {
        try await supervisor.volumeFiles(of: context.parameters.require("id"))
    }

    private static func path(of request: Request) throws -> String {
        guard let path = request.uri.queryParameters.get("path"), !path.isEmpty else {
            throw APIError.badRequest("the path query item is missing; name a file, such as ?path=server.properties")
        }
        return path
    }

    /// Folders before files, each by name, as file managers list them.
    static func foldersFirst(_ a: VolumeEntry, _ b: VolumeEntry) -> Bool {
        if (a.kind == .folder) != (b.kind == .folder) { return a.kind == .folder }
        return a.name < b.name
    }
}
