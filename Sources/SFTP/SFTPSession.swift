import Foundation
import Logging
import NIOCore

/// One session's state and the answer to each of its packets, one after another in arrival order.
struct SFTPSession {
    private let fileSystem: any SFTPFileSystem
    private let limits: SFTPServerLimits
    private let logger: Logger
    private var handles: SFTPHandleTable
    private var versionNegotiated = false

    init(fileSystem: any SFTPFileSystem, limits: SFTPServerLimits, logger: Logger) {
        self.fileSystem = fileSystem
        self.limits = limits
        self.logger = logger
        handles = SFTPHandleTable(capacity: limits.maximumOpenHandles)
    }

    /// The reply to one packet (its length prefix taken off). Throws ``SFTPProtocolError`` only, when the
    /// session has to end; whatever the file system refuses is answered with a STATUS instead.
    mutating func reply(to packet: ByteBuffer) async throws(SFTPProtocolError) -> SFTPReply {
        switch try SFTPIncomingPacket(decoding: packet) {
        case .initialize(let version):
            guard !versionNegotiated else { throw .versionNegotiatedTwice }
            versionNegotiated = true
            logger.debug("SFTP session started", metadata: ["clientVersion": "\(version)"])
            return .version(extensions: SFTPExtension.advertised)
        case .undecodableText(let id):
            guard versionNegotiated else { throw .versionNotNegotiated }
            logger.debug("SFTP request refused: its text is not UTF-8", metadata: ["id": "\(id)"])
            return .status(id: id, .badMessage, message: "a path or name is not valid UTF-8")
        case .request(let id, let request):
            guard versionNegotiated else { throw .versionNotNegotiated }
            do {
                return try await answer(request, id: id)
            } catch let error as SFTPProtocolError {
                throw error
            } catch {
                logger.debug("SFTP request refused", metadata: ["id": "\(id)", "error": "\(error)"])
                return .status(id: id, reporting: error)
            }
        }
    }

    /// Closes every handle still open, as the session ends; a file that fails to close is only logged,
    /// so the others are still closed.
    mutating func closeEveryHandle() async {
        for file in handles.removeAll() {
            do {
                try await file.close()
            } catch {
                logger.debug("An SFTP file failed to close at the session's end", metadata: ["error": "\(error)"])
            }
        }
    }

    private mutating func answer(_ request: SFTPRequest, id: UInt32) async throws -> SFTPReply {
        switch request {
        case .openFile(let path, let flags, let attributes):
            try reserveHandle()
            let path = SFTPPath.normalised(path)
            let file = try await fileSystem.openFile(path, flags: flags, attributes: attributes)
            return .handle(id: id, handles.add(.file(file, path: path)))
        case .close(let name):
            guard let handle = handles.remove(name) else { throw Self.noSuchHandle }
            if case .file(let file, _) = handle {
                try await file.close()
            }
            return .ok(id: id)
        case .read(let name, let offset, let length):
            let count = min(Int(length), limits.maximumReadLength)
            var bytes = try await file(named: name).read(at: offset, count: count)
            guard bytes.readableBytes > 0 else { return .status(id: id, .endOfFile, message: "End of file") }
            // A file system that gives more than asked must not make the reply larger than the client expects.
            bytes = bytes.getSlice(at: bytes.readerIndex, length: min(bytes.readableBytes, count)) ?? bytes
            return .data(id: id, bytes)
        case .write(let name, let offset, let bytes):
            try await file(named: name).write(bytes, at: offset)
            return .ok(id: id)
        case .attributes(let path, let followingLinks):
            return .attributes(id: id, try await fileSystem.attributes(at: SFTPPath.normalised(path), followingLinks: followingLinks))
        case .handleAttributes(let name):
            return .attributes(id: id, try await file(named: name).attributes())
        case .setAttributes(let attributes, let path):
            try await fileSystem.setAttributes(attributes, at: SFTPPath.normalised(path))
            return .ok(id: id)
        case .setHandleAttributes(let attributes, let name):
            try await file(named: name).setAttributes(attributes)
            return .ok(id: id)
        case .openDirectory(let path):
            return .handle(id: id, try await openDirectory(SFTPPath.normalised(path)))
        case .readDirectory(let name):
            return try readDirectory(named: name, id: id)
        case .removeFile(let path):
            try await fileSystem.removeFile(SFTPPath.normalised(path))
            return .ok(id: id)
        case .makeDirectory(let path, let attributes):
            try await fileSystem.makeDirectory(SFTPPath.normalised(path), attributes: attributes)
            return .ok(id: id)
        case .removeDirectory(let path):
            try await fileSystem.removeDirectory(SFTPPath.normalised(path))
            return .ok(id: id)
        case .resolvePath(let path):
            // Answered lexically, as the file system below is confined to its root; OpenSSH too sends the
            // path as the long name and no attributes.
            let resolved = SFTPPath.normalised(path)
            return .names(id: id, [SFTPDirectoryEntry(name: resolved, longName: resolved, attributes: SFTPAttributes())])
        case .rename(let source, let destination, let replacing):
            try await fileSystem.rename(SFTPPath.normalised(source), to: SFTPPath.normalised(destination), replacing: replacing)
            return .ok(id: id)
        case .readLink(let path):
            let target = try await fileSystem.readLink(SFTPPath.normalised(path))
            return .names(id: id, [SFTPDirectoryEntry(name: target, longName: target, attributes: SFTPAttributes())])
        case .makeSymbolicLink(let path, let target):
            try await fileSystem.makeSymbolicLink(at: SFTPPath.normalised(path), pointingTo: target)
            return .ok(id: id)
        case .fileSystemStats(let path):
            return .extended(id: id, try await fileSystem.fileSystemStats(at: SFTPPath.normalised(path)).figures)
        case .handleFileSystemStats(let name):
            guard let handle = handles[name] else { throw Self.noSuchHandle }
            return .extended(id: id, try await fileSystem.fileSystemStats(at: handle.path).figures)
        case .sync(let name):
            try await file(named: name).sync()
            return .ok(id: id)
        case .limits:
            let figures = [limits.maximumPacketLength, limits.maximumReadLength, limits.maximumWriteLength, limits.maximumOpenHandles]
            return .extended(id: id, figures.map { UInt64(max($0, 0)) })
        case .unsupported(let what):
            return .status(id: id, .operationUnsupported, message: "\(what) is not supported")
        }
    }

    /// Ends the session when the client would hold more handles than allowed; checked before the file
    /// system is asked, so nothing is opened that could not be kept.
    private func reserveHandle() throws(SFTPProtocolError) {
        guard !handles.isFull else { throw .tooManyHandles(limits.maximumOpenHandles) }
    }

    private mutating func openDirectory(_ path: String) async throws -> SFTPHandle {
        try reserveHandle()
        let now = Int64(Date().timeIntervalSince1970)
        // The long names are written now, so a page's length is known exactly before it is sent.
        let entries = try await fileSystem.listDirectory(path).map { entry in
            var entry = entry
            entry.longName = entry.longName ?? SFTPLongName.line(name: entry.name, attributes: entry.attributes, now: now)
            return entry
        }
        return handles.add(.directory(SFTPDirectoryListing(path: path, entries: entries)))
    }

    private mutating func readDirectory(named name: SFTPHandle, id: UInt32) throws -> SFTPReply {
        guard let handle = handles[name] else { throw Self.noSuchHandle }
        guard case .directory(var listing) = handle else { throw SFTPError(.failure, "the handle is a file's, not a directory's") }
        // A page stays within the largest DATA reply, which a client already accepts.
        let page = listing.nextPage(byteBudget: limits.maximumReadLength)
        handles[name] = .directory(listing)
        guard !page.isEmpty else { return .status(id: id, .endOfFile, message: "End of file") }
        return .names(id: id, Array(page))
    }

    private func file(named name: SFTPHandle) throws -> any SFTPFile {
        guard let handle = handles[name] else { throw Self.noSuchHandle }
        guard case .file(let file, _) = handle else { throw SFTPError(.failure, "the handle is a directory's, not a file's") }
        return file
    }

    private static let noSuchHandle = SFTPError(.failure, "no such handle")
}

extension SFTPFileSystemStats {
    /// The figures in the order `statvfs@openssh.com` replies with them.
    var figures: [UInt64] {
        [blockSize, fragmentSize, blocks, freeBlocks, availableBlocks, files, freeFiles, availableFiles, fileSystemID, flags, maximumNameLength]
    }
}
