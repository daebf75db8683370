import AsyncHTTPClient
import BerthProtocol
import FluentKit
import Foundation
import NIOCore

/// An instance's files, as its owner, subusers and admins reach them: each call checks the role's
/// permission and the image's denylist, then asks the instance's node, whose daemon keeps every path
/// inside the volume. The node's refusals come back as ``PanelError``s with its message.
package struct InstanceFiles: Sendable {
    let store: InstanceStore

    /// The largest file the text editor opens; larger ones are downloaded.
    package static let editableLimit = 4 << 20

    package func list(_ id: String, path: String, as role: InstanceRole) async throws -> FolderListing {
        try await read(DaemonRoutes.files, of: id, path: path, as: role)
    }

    /// The listing as the node wrote it (a ``FolderListing`` in JSON), for the API to pass on without
    /// decoding and encoding ten thousand entries again.
    package func listingJSON(_ id: String, path: String, as role: InstanceRole) async throws -> Data {
        try await readJSON(DaemonRoutes.files, of: id, path: path, as: role)
    }

    package func entry(_ id: String, path: String, as role: InstanceRole) async throws -> VolumeEntry {
        try await read(DaemonRoutes.fileEntry, of: id, path: path, as: role)
    }

    /// The file's bytes as the node streams them: the caller passes the body on without holding it.
    package func download(_ id: String, path: String, range: String?, as role: InstanceRole) async throws -> HTTPClientResponse {
        let node = try await node(of: id, checking: [path], for: .filesRead, as: role)
        return try await Self.asking { try await store.daemons.download(instance: id.lowercased(), path: path, range: range, on: node) }
    }

    /// A text file for the editor: refused over ``editableLimit`` and for bytes that are not text.
    package func text(_ id: String, path: String, as role: InstanceRole) async throws -> String {
        let entry = try await entry(id, path: path, as: role)
        guard entry.kind != .folder else { throw PanelError.invalid("\(path) is a folder; open it instead") }
        guard entry.size <= Self.editableLimit else {
            throw PanelError.tooLarge("\(path) is larger than \(Self.editableLimit >> 20) MiB, too large to edit here; download it instead")
        }
        let response = try await download(id, path: path, range: nil, as: role)
        let bytes = try await response.body.collect(upTo: Self.editableLimit)
        guard !bytes.readableBytesView.contains(0), let text = bytes.getString(at: bytes.readerIndex, length: bytes.readableBytes),
            Data(text.utf8) == Data(buffer: bytes)
        else {
            throw PanelError.invalid("\(path) is not a text file; download it instead")
        }
        return text
    }

    /// Streams `body` to the node as the file at `path`, replacing it at once when complete.
    package func upload(_ id: String, path: String, body: HTTPClientRequest.Body, as role: InstanceRole) async throws -> VolumeEntry {
        let node = try await node(of: id, checking: [path], for: .filesWrite, as: role)
        return try await Self.asking { try await store.daemons.upload(instance: id.lowercased(), path: path, body: body, on: node) }
    }

    package func write(_ text: String, to path: String, of id: String, as role: InstanceRole) async throws -> VolumeEntry {
        try await upload(id, path: path, body: .bytes(ByteBuffer(string: text)), as: role)
    }

    package func makeFolder(_ path: String, of id: String, as role: InstanceRole) async throws -> VolumeEntry {
        try await change(id, DaemonRoutes.folders, FolderRequest(path: path), paths: [path], as: role)
    }

    package func move(_ from: String, to: String, of id: String, as role: InstanceRole) async throws -> VolumeEntry {
        try await change(id, DaemonRoutes.fileMove, FileTransferRequest(from: from, to: to), paths: [from, to], as: role)
    }

    package func copy(_ from: String, to: String, of id: String, as role: InstanceRole) async throws -> VolumeEntry {
        try await change(
            id,
            DaemonRoutes.fileCopy,
            FileTransferRequest(from: from, to: to),
            paths: [from, to],
            as: role,
            deadline: DaemonClient.transferDeadline
        )
    }

    package func delete(_ paths: [String], of id: String, as role: InstanceRole) async throws {
        guard !paths.isEmpty else { throw PanelError.invalid("paths must name at least one file or folder") }
        let node = try await node(of: id, checking: paths, for: .filesWrite, as: role)
        try await Self.asking {
            try await store.daemons.send(
                .POST,
                DaemonRoutes.fileDeletion.path(id: id.lowercased()),
                body: FileDeletionRequest(paths: paths),
                to: node,
                deadline: DaemonClient.transferDeadline
            )
        }
    }

    package func setMode(_ mode: String, of path: String, in id: String, as role: InstanceRole) async throws -> VolumeEntry {
        guard mode.count <= 4, UInt32(mode, radix: 8) != nil else {
            throw PanelError.invalid("mode must be octal permission bits, such as 644 or 755")
        }
        return try await change(id, DaemonRoutes.fileMode, FileModeRequest(path: path, mode: mode), paths: [path], as: role)
    }

    /// Packs entries of `folder` into a new archive there; `name` missing, one with the time is made up.
    package func compress(
        _ names: [String],
        in folder: String,
        format: String,
        name: String?,
        of id: String,
        as role: InstanceRole
    ) async throws -> VolumeEntry {
        guard !names.isEmpty else { throw PanelError.invalid("names must name at least one file or folder of the folder") }
        let paths =
            names.map { (folder as NSString).appendingPathComponent($0) } + [name.map { (folder as NSString).appendingPathComponent($0) } ?? folder]
        let node = try await node(of: id, checking: paths, for: .filesWrite, as: role)
        return try await Self.asking {
            try await store.daemons.send(
                .POST,
                DaemonRoutes.fileArchive.path(id: id.lowercased()),
                body: ArchiveRequest(folder: folder, names: names, format: format, name: name),
                to: node,
                expecting: VolumeEntry.self,
                deadline: DaemonClient.transferDeadline
            )
        }
    }

    /// Unpacks the archive at `path` into `into` (its own folder when nil): checked whole first, so a
    /// hostile or damaged archive changes nothing.
    package func extract(_ path: String, into: String?, of id: String, as role: InstanceRole) async throws -> ExtractionAnswer {
        let node = try await node(of: id, checking: [path, into ?? path], for: .filesWrite, as: role)
        return try await Self.asking {
            try await store.daemons.send(
                .POST,
                DaemonRoutes.fileExtraction.path(id: id.lowercased()),
                body: ExtractionRequest(path: path, into: into),
                to: node,
                expecting: ExtractionAnswer.self,
                deadline: DaemonClient.transferDeadline
            )
        }
    }

    /// Has the node fetch the file at `url` (http or https, never the node's own network) into `folder`,
    /// as `name` or the URL's last part; answers once the whole file is there.
    package func pull(_ url: String, into folder: String, name: String?, of id: String, as role: InstanceRole) async throws -> VolumeEntry {
        let pull = PullRequest(url: url, folder: folder, name: name)
        return try await change(
            id,
            DaemonRoutes.filePull,
            pull,
            paths: [(folder as NSString).appendingPathComponent(pull.fileName)],
            as: role,
            deadline: DaemonClient.transferDeadline
        )
    }

    // MARK: - Asking the node

    private func read<Answer: Decodable>(_ route: RoutePath, of id: String, path: String, as role: InstanceRole) async throws -> Answer {
        try DaemonClient.decode(Answer.self, from: try await readJSON(route, of: id, path: path, as: role))
    }

    private func readJSON(_ route: RoutePath, of id: String, path: String, as role: InstanceRole) async throws -> Data {
        let node = try await node(of: id, checking: [path], for: .filesRead, as: role)
        return try await Self.asking {
            try await store.daemons.send(
                .GET,
                DaemonClient.filePath(route, instance: id.lowercased(), path: path),
                body: Optional<String>.none,
                to: node
            )
        }
    }

    /// `deadline`: copies of whole folders take as long as they take; the node answers when done.
    private func change(
        _ id: String,
        _ route: RoutePath,
        _ body: some Encodable,
        paths: [String],
        as role: InstanceRole,
        deadline: TimeAmount = DaemonClient.deadline
    ) async throws -> VolumeEntry {
        let node = try await node(of: id, checking: paths, for: .filesWrite, as: role)
        return try await Self.asking {
            try await store.daemons.send(
                .POST,
                route.path(id: id.lowercased()),
                body: body,
                to: node,
                expecting: VolumeEntry.self,
                deadline: deadline
            )
        }
    }

    /// The instance's node, once the role may do this and no path is on the image's denylist (which
    /// binds everyone but administrators).
    private func node(of id: String, checking paths: [String], for permission: InstancePermission, as role: InstanceRole) async throws -> Node {
        try role.require(permission)
        guard let uuid = UUID(uuidString: id),
            let instance = try await Instance.query(on: store.database.db()).with(\.$node).with(\.$image).filter(\.$id == uuid).first()
        else {
            throw PanelError.notFound("no instance with that id")
        }
        guard !instance.deleting else { throw PanelError.conflict("the instance is being deleted") }
        if role != .administrator, let patterns = instance.image.decodedDefinition?.fileDenylist {
            let denylist = FileDenylist(patterns: patterns)
            if let denied = paths.first(where: denylist.denies) {
                throw PanelError.forbidden("\(denied) is on the image's list of files that may not be changed or read here")
            }
        }
        return instance.node
    }

    /// The node's refusals as the panel's: its 400, 404, 409, 413 and 507 keep their meaning and message,
    /// and its 502 (a server it fetched from failed) its message.
    static func asking<Answer>(_ body: () async throws -> Answer) async throws -> Answer {
        do {
            return try await body()
        } catch DaemonClientError.refused(let status, let message) {
            switch status {
            case 400: throw PanelError.invalid(message)
            case 404: throw PanelError.notFound(message)
            case 409: throw PanelError.conflict(message)
            case 413: throw PanelError.tooLarge(message)
            case 507: throw PanelError.diskFull(message)
            case 502: throw PanelError.nodeFailed(message)
            default: throw PanelError.nodeFailed("the node refused: \(message)")
            }
        } catch let error as DaemonClientError {
            throw PanelError.nodeUnavailable(error.message)
        }
    }
}

extension InstanceStore {
    /// The instances' files, through their nodes.
    package var files: InstanceFiles { InstanceFiles(store: self) }
}
