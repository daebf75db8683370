import AsyncHTTPClient
import BerthHTTP
import BerthProtocol
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An instance's file manager under `/api/v1/instances/{id}/files`: list, stat, download (with ranges)
/// and upload (both streamed through, never held whole), folders, move, copy, delete, permissions, archives
/// and files fetched from a URL.
/// Reading takes `files.read`, changing `files.write`; the node keeps every path inside the volume.
struct FileController<Context: PanelRequestContext>: Sendable {
    let instances: InstanceStore
    let subusers: SubuserStore

    func addRoutes(to group: RouterGroup<Context>) {
        let files = group.group("v1/instances/:id/files")
        files.get { request, context in
            try await routeGuard.answering(context, needs: .read) { id, role in
                let listing = try await instances.files.listingJSON(id, path: Self.query(request) ?? "/", as: role)
                return Response(
                    status: .ok,
                    headers: [.contentType: "application/json; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(bytes: listing))
                )
            }
        }
        files.get("entry") { request, context in
            try await routeGuard.answering(context, needs: .read) { id, role in
                try JSONResponse.make(try await instances.files.entry(id, path: try request.requiredPathQueryItem(), as: role))
            }
        }
        files.get("contents") { request, context in
            try await routeGuard.answering(context, needs: .read) { id, role in
                let path = try request.requiredPathQueryItem()
                let download = try await instances.files.download(id, path: path, range: request.headers[.range], as: role)
                return DownloadResponse.passing(download, named: (path as NSString).lastPathComponent)
            }
        }
        files.put("contents") { request, context in
            try await routeGuard.answering(context, needs: .write) { id, role in
                let length = request.headers[.contentLength].flatMap(Int.init).map { HTTPClientRequest.Body.Length.known(Int64($0)) } ?? .unknown
                let entry = try await instances.files.upload(
                    id,
                    path: try request.requiredPathQueryItem(),
                    body: .stream(request.body, length: length),
                    as: role
                )
                return try JSONResponse.make(entry, status: .created)
            }
        }
        files.post("folders") { request, context in
            try await routeGuard.answering(context, needs: .write) { id, role in
                let path = try await RequestFields.read(request, only: ["path"]).exactString("path")
                return try JSONResponse.make(try await instances.files.makeFolder(path, of: id, as: role), status: .created)
            }
        }
        files.post("move") { request, context in
            try await routeGuard.answering(context, needs: .write) { id, role in
                let fields = try await RequestFields.read(request, only: ["from", "to"])
                return try JSONResponse.make(
                    try await instances.files.move(try fields.exactString("from"), to: try fields.exactString("to"), of: id, as: role)
                )
            }
        }
        files.post("copy") { request, context in
            try await routeGuard.answering(context, needs: .write) { id, role in
                let fields = try await RequestFields.read(request, only: ["from", "to"])
                let entry = try await instances.files.copy(try fields.exactString("from"), to: try fields.exactString("to"), of: id, as: role)
                return try JSONResponse.make(entry, status: .created)
            }
        }
        files.post("delete") { request, context in
            try await routeGuard.answering(context, needs: .write) { id, role in
                let paths = try await RequestFields.read(request, only: ["paths"]).strings("paths")
                try await instances.files.delete(paths, of: id, as: role)
                return Response(status: .noContent)
            }
        }
        files.post("compress") { request, context in
            try await routeGuard.answering(context, needs: .write) { id, role in
                let fields = try await RequestFields.read(request, only: ["names", "folder", "format", "name"])
                let entry = try await instances.files.compress(
                    try fields.strings("names"),
                    in: try fields.optionalString("folder") ?? "/",
                    format: try fields.exactString("format"),
                    name: try fields.optionalString("name"),
                    of: id,
                    as: role
                )
                return try JSONResponse.make(entry, status: .created)
            }
        }
        files.post("decompress") { request, context in
            try await routeGuard.answering(context, needs: .write) { id, role in
                let fields = try await RequestFields.read(request, only: ["path", "into"])
                let answer = try await instances.files.extract(
                    try fields.exactString("path"),
                    into: try fields.optionalString("into"),
                    of: id,
                    as: role
                )
                return try JSONResponse.make(answer)
            }
        }
        files.post("pull") { request, context in
            try await routeGuard.answering(context, needs: .write) { id, role in
                let fields = try await RequestFields.read(request, only: ["url", "folder", "name"])
                let entry = try await instances.files.pull(
                    try fields.exactString("url"),
                    into: try fields.optionalString("folder") ?? "/",
                    name: try fields.optionalString("name"),
                    of: id,
                    as: role
                )
                return try JSONResponse.make(entry, status: .created)
            }
        }
        files.post("mode") { request, context in
            try await routeGuard.answering(context, needs: .write) { id, role in
                let fields = try await RequestFields.read(request, only: ["path", "mode"])
                return try JSONResponse.make(
                    try await instances.files.setMode(try fields.exactString("mode"), of: try fields.exactString("path"), in: id, as: role)
                )
            }
        }
    }

    private var routeGuard: InstanceRouteGuard<Context> { InstanceRouteGuard(instances: instances, subusers: subusers) }

    private static func query(_ request: Request) -> String? {
        request.uri.queryParameters.get("path")
    }
}
