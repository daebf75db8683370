import BerthHTTP
import BerthProtocol
import ConfinedFiles
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix

/// The daemon's file routes: every one opens the instance's volume through ``ConfinedDirectory``, so
/// nothing a tenant planted there leads a request out of it. Paths come in the `path` query item or
/// the JSON body, relative to the volume.
struct FileController<Context: RequestContext>: Sendable {
    let supervisor: InstanceSupervisor
    let pull: FilePull
    /// Pulls under way, so that one instance cannot tie up the node's connections with hundreds.
    let pulls = PullsUnderWay()

    func addRoutes(to group: RouterGroup<Context>) {
        group.get(RouterPath(DaemonRoutes.files.pattern)) { request, context in
            let files = try await volume(context)
            let path = request.uri.queryParameters.get("path") ?? "/"
            let listing = try files.list(path).map(VolumeEntry.init).sorted(by: Self.foldersFirst)
            return try JSONResponse.make(FolderListing(path: try ConfinedPath(path).description, entries: listing))
        }
        group.get(RouterPath(DaemonRoutes.fileEntry.pattern)) { request, context in
            try JSONResponse.make(VolumeEntry(try await volume(context).entry(at: try request.requiredPathQueryItem())))
        }
        group.get(RouterPath(DaemonRoutes.fileContents.pattern)) { request, context in
            try FileDownload.response(for: try await volume(context).openFile(try request.requiredPathQueryItem()), request: request)
        }
        group.put(RouterPath(DaemonRoutes.fileContents.pattern)) { request, context in
            var body = request.body.makeAsyncIterator()
            do {
                let files = try await volume(context)
                let path = try request.requiredPathQueryItem()
                let writer = try files.beginWrite(to: path)
                while let buffer = try await body.next() {
                    try buffer.withUnsafeReadableBytes { try writer.append($0) }
                }
                try writer.commit()
                return try JSONResponse.make(VolumeEntry(try files.entry(at: path)), status: .created)
            } catch {
                // Refused or failed before the body's end (a bad path, a full disk): the rest is read first, so
                // the panel streaming it is answered only once it has sent it all, never while its client still
                // reads the body it relays.
                while (try? await body.next()) != nil {}
                throw error
            }
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
            try await Self.offloaded { try files.copy(copy.from, to: copy.to) }
            return try JSONResponse.make(VolumeEntry(try files.entry(at: copy.to)), status: .created)
        }
        group.post(RouterPath(DaemonRoutes.fileDeletion.pattern)) { request, context in
            let deletion = try await request.decodeJSON(as: FileDeletionRequest.self)
            let files = try await volume(context)
            // Each path is checked before any is deleted, so a bad one in the list deletes nothing.
            for path in deletion.paths { _ = try files.entry(at: path) }
            try await Self.offloaded { for path in deletion.paths { try files.delete(path) } }
            return Response(status: .noContent)
        }
        group.post(RouterPath(DaemonRoutes.fileArchive.pattern)) { request, context in
            let archive = try await request.decodeJSON(as: ArchiveRequest.self)
            guard let format = ArchiveFormat(rawValue: archive.format) else {
                throw APIError.badRequest("format must be one of \(ArchiveFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let name = archive.name ?? Self.archiveName(format)
            guard !name.isEmpty, !name.contains("/") else { throw APIError.badRequest("name must be a file name, without /") }
            let path = (archive.folder as NSString).appendingPathComponent(name)
            let files = try await volume(context)
            if (try? files.entry(at: path)) != nil { throw ConfinedFileError.exists(path) }
            try await Self.offloaded { try files.compress(archive.names, in: archive.folder, to: path, format: format) }
            return try JSONResponse.make(VolumeEntry(try files.entry(at: path)), status: .created)
        }
        group.post(RouterPath(DaemonRoutes.fileExtraction.pattern)) { request, context in
            let extraction = try await request.decodeJSON(as: ExtractionRequest.self)
            guard ArchiveName.isUnpackable(extraction.path) else {
                throw APIError.badRequest("\(extraction.path) is not an archive Berth unpacks: .zip, .tar, .tar.gz, .tar.xz, .tar.zst or .tar.bz2")
            }
            let id = try context.parameters.require("id")
            let files = try await supervisor.volumeFiles(of: id)
            let limits = ExtractionLimits(maximumEntries: Self.maximumEntries, maximumBytes: try await supervisor.roomForFiles(of: id))
            let into = extraction.into ?? (extraction.path as NSString).deletingLastPathComponent
            let summary = try await Self.offloaded { try files.extract(extraction.path, into: into, limits: limits) }
            return try JSONResponse.make(ExtractionAnswer(entries: summary.entries, bytes: summary.bytes, skipped: summary.skipped))
        }
        group.post(RouterPath(DaemonRoutes.filePull.pattern)) { request, context in
            let pullRequest = try await request.decodeJSON(as: PullRequest.self)
            let id = try context.parameters.require("id")
            let name = try Self.pulledFileName(pullRequest)
            let path = (pullRequest.folder as NSString).appendingPathComponent(name)
            let files = try await supervisor.volumeFiles(of: id)
            if (try? files.entry(at: path)) != nil { throw ConfinedFileError.exists(path) }
            try await pulls.admitting(id) {
                try await pull.fetch(pullRequest.url, to: path, in: files, room: try await supervisor.roomForFiles(of: id))
            }
            return try JSONResponse.make(VolumeEntry(try files.entry(at: path)), status: .created)
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

    /// Runs long file work (packing, unpacking, copying or deleting whole folders) on NIO's blocking pool,
    /// so it never holds a thread the daemon's requests run on.
    static func offloaded<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await NIOThreadPool.singleton.runIfActive(work)
    }

    /// The most entries one archive may unpack: far beyond any game's files, far below what would tie up the node.
    static var maximumEntries: Int { 50_000 }

    /// The pulled file's name (``PullRequest/fileName``), once it is one.
    static func pulledFileName(_ pull: PullRequest) throws -> String {
        let name = pull.fileName
        guard !name.isEmpty, name != "/", name != ".", name != "..", !name.contains("/") else {
            throw APIError.badRequest(
                pull.name == nil ? "name the file: the URL's path does not end in a file name" : "name must be a file name, without /"
            )
        }
        return name
    }

    /// `archive-2026-12-01T17-05-09Z.tar.gz`: unique enough, and sorted by time.
    static func archiveName(_ format: ArchiveFormat) -> String {
        let stamp = Date().formatted(.iso8601).replacingOccurrences(of: ":", with: "-")
        return "archive-\(stamp).\(format.rawValue)"
    }

    /// Folders before files, each by name, as file managers list them.
    static func foldersFirst(_ a: VolumeEntry, _ b: VolumeEntry) -> Bool {
        if (a.kind == .folder) != (b.kind == .folder) { return a.kind == .folder }
        return a.name < b.name
    }
}
