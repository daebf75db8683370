import AsyncHTTPClient
import BerthHTTP
import BerthProtocol
import ConfinedFiles
import Foundation
import NIOCore
import NIOPosix

/// Moving an instance to another node, node to node. The receiving node first records the instance
/// (``expectTransfer(_:)``); the sending node stops it, packs its files as a backup would, and streams
/// them to the receiving node with the transfer's single-use token (``sendTransfer(of:_:)``); the receiving
/// node checks and unpacks them through the confined file layer, makes the container, and starts it when
/// it ran before. A failure anywhere starts the instance again where it was; the sending node keeps its
/// copy until the panel, once the instance runs on the other node, deletes it.
extension InstanceSupervisor {
    // MARK: - Receiving

    /// Records an instance that is coming from another node, installing until its files arrive.
    func expectTransfer(_ incoming: IncomingTransfer) throws -> InstanceStatus {
        guard UUID(uuidString: incoming.transfer) != nil else { throw InstanceError.invalid("transfer must be a UUID") }
        guard Secrets.isGenerated(incoming.tokenDigest) else { throw InstanceError.invalid("tokenDigest must be a SHA-256 digest in hex") }
        let status = try create(incoming.specification, installing: false)
        incomingTransfers[incoming.transfer.lowercased()] = incoming
        consoles[incoming.specification.id]?.publishNotice("arriving from another node")
        return status
    }

    /// Takes the files of `transfer`, once, with its token: written beside the node's backups (where they
    /// count against no instance's disk, and no more than the instance has room for), unpacked into the
    /// instance's volume once their checksum is the sender's, its container made, and started when the
    /// transfer said so.
    func receive(
        _ transfer: String,
        token: String,
        sha256: String,
        files: some AsyncSequence<ByteBuffer, any Error> & Sendable
    ) async throws -> InstanceStatus {
        let name = transfer.lowercased()
        guard let incoming = incomingTransfers[name], Secrets.constantTimeEquals(Secrets.digest(token), incoming.tokenDigest) else {
            throw InstanceError.forbidden("no transfer here takes that token")
        }
        incomingTransfers[name] = nil
        let id = incoming.specification.id
        guard let record = records[id] else { throw InstanceError.notFound(id: id) }
        try await mountDisk(of: id)
        let volume = try await installer.prepare(record.specification, console: consoles[id] ?? ConsoleHub())
        try VolumeOwnership.give(volume, to: record.hostID, group: record.hostID)
        let archives = backups
        defer { try? archives.remove(name, of: id) }
        let writer = try archives.beginFetch(name, of: id)
        let limit = try roomForFiles(of: id)
        for try await buffer in files {
            guard writer.written + Int64(buffer.readableBytes) <= limit else {
                throw InstanceError.failed("the files are larger than the instance has room for on this node")
            }
            try buffer.withUnsafeReadableBytes { try writer.append($0) }
        }
        try writer.commit()
        let archive = try await NIOThreadPool.singleton.runIfActive { try archives.checkedPath(of: name, of: id, sha256: sha256) }
        let files = try ConfinedDirectory(path: blueprint.volumePath(for: id), owner: (record.hostID, record.hostID))
        let limits = try restoreLimits(of: id)
        _ = try await NIOThreadPool.singleton.runIfActive {
            try files.replaceContents(withArchiveAt: archive, shown: "transfer \(name)", limits: limits)
        }
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

    /// Stops the instance, sends its files to the receiving node, and answers once that node has them in
    /// place (and running, if the instance ran here). On any failure the instance starts here again.
    func sendTransfer(of id: String, _ outgoing: OutgoingTransfer) async throws -> TransferAnswer {
        guard let record = records[id] else { throw InstanceError.notFound(id: id) }
        if let refusal = fileRefusal(of: id) { throw refusal }
        guard UUID(uuidString: outgoing.transfer) != nil else { throw InstanceError.invalid("transfer must be a UUID") }
        let pin: PinnedCertificate
        do {
            pin = try PinnedCertificate(pem: outgoing.targetCertificate)
        } catch {
            throw InstanceError.invalid("targetCertificate is not a PEM certificate")
        }
        guard let target = URL(string: outgoing.target), target.scheme == "https", target.host != nil else {
            throw InstanceError.invalid("target must be the receiving daemon's https URL")
        }
        let files = try await volumeFiles(of: id)
        let wasRunning = !record.lifecycle.isStopped
        let stopped = ContinuousClock.now
        if wasRunning {
            consoles[id]?.publishNotice("stopping to move to another node")
            sendStop(try change(id) { try $0.lifecycle.requestStop(kill: false) }, to: id)
            try await waitUntilStopped(id, grace: .seconds(record.specification.image.stopTimeoutSeconds), for: "it was not moved")
        }
        let archives = backups
        let name = outgoing.transfer.lowercased()
        defer { try? archives.remove(name, of: id) }
        do {
            let summary = try await NIOThreadPool.singleton.runIfActive { try archives.write(name, of: id, from: files) }
            let status = try await deliver(try archives.open(name, of: id), summary: summary, to: outgoing, trusting: pin)
            let downtime = Self.milliseconds(since: stopped)
            consoles[id]?.publishNotice("moved to another node")
            logger.about(instance: id).info("transfer \(name): \(summary.size) bytes sent, stopped for \(downtime) ms")
            return TransferAnswer(status: status, bytesSent: summary.size, downtimeMilliseconds: downtime)
        } catch {
            consoles[id]?.publishNotice("not moved: \(InstanceError.describe(error))")
            await startAgain(id, if: wasRunning)
            throw error
        }
    }

    /// Streams the archive to the receiving node; its answer is the instance's status there.
    private func deliver(
        _ archive: OpenFile,
        summary: BackupSummary,
        to outgoing: OutgoingTransfer,
        trusting pin: PinnedCertificate
    ) async throws
        -> InstanceStatus
    {
        let base = outgoing.target.hasSuffix("/") ? String(outgoing.target.dropLast()) : outgoing.target
        var request = HTTPClientRequest(url: base + DaemonRoutes.transferFiles.pattern.replacingOccurrences(of: ":transfer", with: outgoing.transfer))
        request.method = .PUT
        request.tlsConfiguration = try pin.clientConfiguration()
        request.headers.add(name: "Authorization", value: "Bearer \(outgoing.token)")
        request.headers.add(name: TransferHeaders.sha256, value: summary.sha256)
        request.body = .stream(FilePieces(file: archive, offset: 0, end: archive.size), length: .known(archive.size))
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
        let body = Data(buffer: try await response.body.collect(upTo: 1 << 20))
        guard (200..<300).contains(response.status.code) else {
            let message = (try? JSONDecoder().decode(ErrorBody.self, from: body).error) ?? "status \(response.status.code)"
            throw InstanceError.failed("the receiving node refused the files: \(message)")
        }
        return try JSONDecoder().decode(InstanceStatus.self, from: body)
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }
}

/// Headers of the node-to-node transfer route.
enum TransferHeaders {
    /// The SHA-256 of the files' archive, lowercase hex: what the receiving node checks before unpacking.
    static let sha256 = "Berth-SHA256"
}
