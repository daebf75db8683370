import AsyncHTTPClient
import BerthHTTP
import BerthProtocol
import ConfinedFiles
import Foundation
import NIOCore
import NIOPosix

/// Moving an instance to another node, node to node. The receiving node first records the instance
/// (``expectTransfer(_:)``); the sending node packs its files as a backup would and streams them to the
/// receiving node with the transfer's token (``sendTransfer(of:_:)``), which checks and unpacks them through
/// the confined file layer. Offline, the instance is stopped before the copy. Live, it runs on during the
/// copy; the receiving node answers with the copy's ``VolumeManifest``, the sending node stops the
/// instance and sends only what changed since (``VolumeChanges``). Either way the receiving node then makes
/// the container and starts it when it ran before. A failure anywhere starts the instance again where it
/// was; the sending node keeps its copy until the panel, once the instance runs on the other node, deletes it.
extension InstanceSupervisor {
    /// What the receiving node answers for files that arrived.
    enum TransferReceipt: Sendable {
        /// In place and installed (started if asked): the transfer is done.
        case arrived(InstanceStatus)
        /// The first copy of a live transfer is in place: what it holds, for the changes to come.
        case copied(VolumeManifest)
    }

    // MARK: - Receiving

    /// Records an instance that is coming from another node, installing until its files arrive.
    func expectTransfer(_ incoming: IncomingTransfer) throws -> InstanceStatus {
        guard UUID(uuidString: incoming.transfer) != nil else { throw InstanceError.invalid("transfer must be a UUID") }
        guard Secrets.isGenerated(incoming.tokenDigest) else { throw InstanceError.invalid("tokenDigest must be a SHA-256 digest in hex") }
        let status = try create(incoming.specification, installing: false)
        incomingTransfers[incoming.transfer.lowercased()] = IncomingTransferState(incoming: incoming, copied: false)
        consoles[incoming.specification.id]?.publishNotice("arriving from another node")
        return status
    }

    /// Takes the files of `transfer` with its token, for the step the transfer is at: the whole of them
    /// (offline: then the instance is made ready) or the first copy (live: answered with its manifest).
    /// They are written beside the node's backups, where they count against no instance's disk, no more than
    /// the instance has room for, and unpacked into its volume once their checksum is the sender's.
    func receive(
        _ transfer: String,
        token: String,
        sha256: String,
        files: some AsyncSequence<ByteBuffer, any Error> & Sendable
    ) async throws -> TransferReceipt {
        let (name, incoming) = try takeStep(of: transfer, token: token, copied: false)
        let id = incoming.specification.id
        guard let record = records[id] else { throw InstanceError.notFound(id: id) }
        try await mountDisk(of: id)
        let volume = try await installer.prepare(record.specification, console: consoles[id] ?? ConsoleHub())
        try VolumeOwnership.give(volume, to: record.hostID, group: record.hostID)
        let archive = try await store(files, as: name, of: id, sha256: sha256)
        defer { try? backups.remove(name, of: id) }
        let volumeFiles = try ConfinedDirectory(path: volume, owner: (record.hostID, record.hostID))
        let limits = try restoreLimits(of: id)
        _ = try await NIOThreadPool.singleton.runIfActive {
            try volumeFiles.replaceContents(withArchiveAt: archive, shown: "transfer \(name)", limits: limits)
        }
        guard incoming.live == true else { return .arrived(try await arrive(incoming, as: name)) }
        let manifest = try await NIOThreadPool.singleton.runIfActive { try VolumeManifest.of(volumeFiles) }
        incomingTransfers[name] = IncomingTransferState(incoming: incoming, copied: true)
        return .copied(manifest)
    }

    /// Takes what changed since a live transfer's copy, with its token, once: applied to the copy through the
    /// confined file layer, then the instance is made ready (and started if asked).
    func receiveChanges(
        _ transfer: String,
        token: String,
        sha256: String,
        files: some AsyncSequence<ByteBuffer, any Error> & Sendable
    ) async throws -> InstanceStatus {
        let (name, incoming) = try takeStep(of: transfer, token: token, copied: true)
        let id = incoming.specification.id
        guard let record = records[id] else { throw InstanceError.notFound(id: id) }
        // The changes' own name beside the node's backups: another UUID, so the copy's archive is never overwritten.
        let changesName = UUID().uuidString.lowercased()
        _ = try await store(files, as: changesName, of: id, sha256: sha256)
        defer { try? backups.remove(changesName, of: id) }
        let volumeFiles = try ConfinedDirectory(path: blueprint.volumePath(for: id), owner: (record.hostID, record.hostID))
        let room = try roomForFiles(of: id)
        let changes = try backups.open(changesName, of: id)
        let summary = try await NIOThreadPool.singleton.runIfActive { try VolumeChanges.apply(changes, to: volumeFiles, room: room) }
        logger.about(instance: id).info("transfer \(name): \(summary.records) changes applied, \(summary.blockBytes) bytes of blocks")
        return try await arrive(incoming, as: name)
    }

    /// The transfer's next step, if `token` is its token and it is at that step; the token is good for
    /// each step once (a live transfer's copy and then its changes; an offline one's files).
    private func takeStep(of transfer: String, token: String, copied: Bool) throws -> (String, IncomingTransfer) {
        let name = transfer.lowercased()
        guard let state = incomingTransfers[name], state.copied == copied,
            Secrets.constantTimeEquals(Secrets.digest(token), state.incoming.tokenDigest)
        else { throw InstanceError.forbidden("no transfer here takes that token now") }
        incomingTransfers[name] = nil
        return (name, state.incoming)
    }

    /// Writes what arrives into a file named `name` beside the instance's backups, no more than its files
    /// have room for; its path once its SHA-256 is `sha256`.
    private func store(
        _ files: some AsyncSequence<ByteBuffer, any Error> & Sendable,
        as name: String,
        of id: String,
        sha256: String
    ) async throws -> String {
        let archives = backups
        let writer = try archives.beginFetch(name, of: id)
        let limit = try roomForFiles(of: id)
        for try await buffer in files {
            guard writer.written + Int64(buffer.readableBytes) <= limit else {
                throw InstanceError.failed("the files are larger than the instance has room for on this node")
            }
            try buffer.withUnsafeReadableBytes { try writer.append($0) }
        }
        try writer.commit()
        return try await NIOThreadPool.singleton.runIfActive { try archives.checkedPath(of: name, of: id, sha256: sha256) }
    }

    /// The files are in place: the container is made, and the instance started when it ran before.
    private func arrive(_ incoming: IncomingTransfer, as name: String) async throws -> InstanceStatus {
        let id = incoming.specification.id
        guard let record = records[id] else { throw InstanceError.notFound(id: id) }
        let containerID = try await installer.createRuntimeContainer(record.specification, as: record.hostID)
        note(id) { record in
            record.containerID = containerID
            record.lifecycle.installFinished(failure: nil)
        }
        consoles[id]?.publishNotice("arrived from another node")
        if incoming.starts { try await start(id) }
        logger.about(instance: id).info("transfer \(name): arrived\(incoming.starts ? " and started" : "")")
        return try status(of: id)
    }

    // MARK: - Sending

    /// Sends the instance's files to the receiving node, stopped first (offline) or after a first copy
    /// (live), and answers once that node has them in place (and running, if the instance ran here). On
    /// any failure the instance starts here again.
    func sendTransfer(of id: String, _ outgoing: OutgoingTransfer) async throws -> TransferAnswer {
        guard let record = records[id] else { throw InstanceError.notFound(id: id) }
        if let refusal = fileRefusal(of: id) { throw refusal }
        guard UUID(uuidString: outgoing.transfer) != nil else { throw InstanceError.invalid("transfer must be a UUID") }
        let target = try TransferTarget(outgoing)
        let files = try await volumeFiles(of: id)
        let wasRunning = !record.lifecycle.isStopped
        let archives = backups
        let name = outgoing.transfer.lowercased()
        let changesName = UUID().uuidString.lowercased()
        defer {
            try? archives.remove(name, of: id)
            try? archives.remove(changesName, of: id)
        }
        let live = outgoing.live == true
        var stopped: ContinuousClock.Instant?
        do {
            if !live { stopped = try await stopForTransfer(id, if: wasRunning) }
            // Everything in the volume, its ignore file included: a move is not a backup.
            let copy = try await NIOThreadPool.singleton.runIfActive { try archives.write(name, of: id, from: files, honouringIgnoreFile: false) }
            let answer = try await target.put(try archives.open(name, of: id), sha256: copy.sha256, to: DaemonRoutes.transferFiles)
            guard live else {
                return try finished(
                    id,
                    TransferAnswer(status: try Self.decode(InstanceStatus.self, answer), bytesSent: copy.size, downtimeMilliseconds: 0),
                    since: stopped
                )
            }
            let manifest = try Self.decode(VolumeManifest.self, answer)
            stopped = try await stopForTransfer(id, if: wasRunning)
            let (changes, summary) = try await NIOThreadPool.singleton.runIfActive { () throws -> (OpenFile, VolumeChanges.Summary) in
                let writer = try archives.beginFetch(changesName, of: id)
                let summary = try VolumeChanges.write(from: files, against: manifest, to: writer)
                try writer.commit()
                return (try archives.open(changesName, of: id), summary)
            }
            let sha256 = try await NIOThreadPool.singleton.runIfActive { try BackupArchives.sha256(of: changes) }
            let status = try Self.decode(InstanceStatus.self, try await target.put(changes, sha256: sha256, to: DaemonRoutes.transferChanges))
            return try finished(
                id,
                TransferAnswer(status: status, bytesSent: copy.size + changes.size, downtimeMilliseconds: 0, changedBytes: summary.blockBytes),
                since: stopped
            )
        } catch {
            consoles[id]?.publishNotice("not moved: \(InstanceError.describe(error))")
            if stopped != nil { await startAgain(id, if: wasRunning) }
            throw error
        }
    }

    /// Stops the instance if it runs; when it was stopped, for the downtime.
    private func stopForTransfer(_ id: String, if running: Bool) async throws -> ContinuousClock.Instant {
        let stopped = ContinuousClock.now
        guard running, let record = records[id] else { return stopped }
        consoles[id]?.publishNotice("stopping to move to another node")
        sendStop(try change(id) { try $0.lifecycle.requestStop(kill: false) }, to: id)
        try await waitUntilStopped(id, grace: .seconds(record.specification.image.stopTimeoutSeconds), for: "it was not moved")
        return stopped
    }

    private func finished(_ id: String, _ answer: TransferAnswer, since stopped: ContinuousClock.Instant?) throws -> TransferAnswer {
        var answer = answer
        answer.downtimeMilliseconds = stopped.map(Self.milliseconds(since:)) ?? 0
        consoles[id]?.publishNotice("moved to another node")
        logger.about(instance: id).info("moved: \(answer.bytesSent) bytes sent, stopped for \(answer.downtimeMilliseconds) ms")
        return answer
    }

    private static func decode<Value: Decodable>(_ type: Value.Type, _ body: Data) throws -> Value {
        do {
            return try JSONDecoder().decode(Value.self, from: body)
        } catch {
            throw InstanceError.failed("the receiving node answered in a shape this node does not understand")
        }
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }
}

/// One transfer's waiting at the receiving node: what the panel said of it, and whether its first copy
/// (of a live transfer) is in place.
struct IncomingTransferState: Sendable {
    let incoming: IncomingTransfer
    let copied: Bool
}

/// The receiving node as the sending node reaches it: its URL, its certificate as the panel pinned it, and
/// the transfer's token.
struct TransferTarget: Sendable {
    let base: String
    let pin: PinnedCertificate
    let outgoing: OutgoingTransfer

    init(_ outgoing: OutgoingTransfer) throws {
        do {
            pin = try PinnedCertificate(pem: outgoing.targetCertificate)
        } catch {
            throw InstanceError.invalid("targetCertificate is not a PEM certificate")
        }
        guard let url = URL(string: outgoing.target), url.scheme == "https", url.host != nil else {
            throw InstanceError.invalid("target must be the receiving daemon's https URL")
        }
        base = outgoing.target.hasSuffix("/") ? String(outgoing.target.dropLast()) : outgoing.target
        self.outgoing = outgoing
    }

    /// Streams `file` to the route; the receiving node's answer.
    func put(_ file: OpenFile, sha256: String, to route: RoutePath) async throws -> Data {
        var request = HTTPClientRequest(url: base + route.pattern.replacingOccurrences(of: ":transfer", with: outgoing.transfer))
        request.method = .PUT
        request.tlsConfiguration = try pin.clientConfiguration()
        request.headers.add(name: "Authorization", value: "Bearer \(outgoing.token)")
        request.headers.add(name: TransferHeaders.sha256, value: sha256)
        request.body = .stream(FilePieces(file: file, offset: 0, end: file.size), length: .known(file.size))
        // A client of its own that gives up on a refused connection at once, rather than trying again until
        // the request's hours-long deadline.
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        defer { client.shutdown { _ in } }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .hours(6))
        } catch {
            throw InstanceError.unavailable("the receiving node could not be reached: \(error)")
        }
        let body = Data(buffer: try await response.body.collect(upTo: 64 << 20))
        guard (200..<300).contains(response.status.code) else {
            let message = (try? JSONDecoder().decode(ErrorBody.self, from: body).error) ?? "status \(response.status.code)"
            throw InstanceError.failed("the receiving node refused the files: \(message)")
        }
        return body
    }
}

/// Headers of the node-to-node transfer routes.
enum TransferHeaders {
    /// The SHA-256 of what is sent, lowercase hex: what the receiving node checks before using it.
    static let sha256 = "Berth-SHA256"
}
