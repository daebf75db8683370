import BerthProtocol
import DockerEngine
import Foundation

extension InstanceSupervisor {
    func perform(_ action: PowerAction, on id: String) async throws -> InstanceStatus {
        switch action {
        case .start:
            try await start(id)
        case .stop, .kill:
            let request = try change(id) { try $0.lifecycle.requestStop(kill: action == .kill) }
            sendStop(request, to: id)
        case .restart:
            switch try change(id, { try $0.lifecycle.requestRestart() }) {
            case .start: try await start(id)
            case .stopThenStart(let request): sendStop(request, to: id)
            }
        }
        return try status(of: id)
    }

    /// Starts the container and returns once Docker has started it (or refused to).
    func start(_ id: String) async throws {
        let session = try change(id) { try $0.lifecycle.requestStart(session: UUID()) }
        do {
            try await mountDisk(of: id)
        } catch {
            note(id) { $0.lifecycle.startFailed(session: session, reason: InstanceError.describe(error)) }
            throw error
        }
        try await renewContainerIfOutdated(id, session: session)
        guard let containerID = records[id]?.containerID else {
            let reason = "the instance has no container; reinstall it"
            note(id) { $0.lifecycle.startFailed(session: session, reason: reason) }
            throw InstanceError.conflict(reason)
        }
        editConfigFiles(of: id)
        try await runSession(session, of: id, containerID: containerID, startContainer: true)
    }

    /// Sets what the image's configuration files need (its port, its variables) before the process reads
    /// them. A file that cannot be edited is said on the console and in the log; the start goes on, as the
    /// server may well run with the file as it is.
    private func editConfigFiles(of id: String) {
        guard let record = records[id], record.specification.image.configFiles?.isEmpty == false else { return }
        let editor = ConfigFileEditor(
            specification: record.specification,
            environment: blueprint.environmentValues(for: record.specification),
            owner: record.hostID
        )
        for problem in editor.apply(in: blueprint.volumePath(for: id)) {
            logger.about(instance: id).warning("instance \(id): a configuration file was left as it was: \(problem)")
            consoles[id]?.publishNotice("configuration file left as it was: \(problem)")
        }
    }

    /// Asks the process to stop as its image says (or kills it), and kills it when the grace period runs out.
    func sendStop(_ request: InstanceLifecycle.StopRequest, to id: String) {
        guard case .signal(let session, let kill) = request,
            let record = records[id], let containerID = record.containerID
        else { return }
        let method = kill ? .signal("SIGKILL") : record.specification.image.stop
        let timeout = Duration.seconds(record.specification.image.stopTimeoutSeconds)
        let input = inputs[id]
        tasks.spawn { [docker, logger] in
            do {
                switch method {
                case .command(let command) where input != nil:
                    try await input?.write(command + "\n")
                case .command:
                    try await docker.killContainer(containerID, signal: "SIGTERM")
                case .signal(let signal):
                    try await docker.killContainer(containerID, signal: signal)
                }
            } catch {
                // A container that stopped meanwhile refuses the signal; the kill below settles the rest.
                logger.about(instance: id).info(
                    "instance \(id): the stop request was refused (\(error)); it is killed after \(timeout) if still running"
                )
            }
            // Whatever the process does with the request, it is gone after the timeout; a daemon
            // shutting down meanwhile leaves it to finish its stop in peace.
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            if await self.stopTimedOut(id, session: session) {
                do {
                    try await docker.killContainer(containerID, signal: "SIGKILL")
                } catch {
                    logger.about(instance: id).error("instance \(id) could not be killed after its stop timed out: \(error)")
                }
            }
        }
    }

    private func stopTimedOut(_ id: String, session: UUID?) -> Bool {
        records[id]?.lifecycle.stopTimedOut(session: session) ?? false
    }

    /// Writes a line to the instance's console.
    func sendCommand(_ command: String, to id: String) async throws {
        guard let record = records[id] else { throw InstanceError.notFound(id: id) }
        guard let input = inputs[id], record.lifecycle.acceptsCommands else {
            throw InstanceError.conflict("the server is not running, so the command was not sent; start it first")
        }
        guard !command.contains("\n"), !command.contains("\r") else { throw InstanceError.invalid("a command is one line") }
        do {
            try await input.write(command + "\n")
        } catch {
            throw InstanceError.engine("the command could not be written to the console: \(error)")
        }
    }

    // MARK: - Limits and suspension

    func updateLimits(_ limits: ResourceLimits, of id: String) async throws -> InstanceStatus {
        if let problem = limits.problem { throw InstanceError.invalid(problem) }
        guard let record = records[id] else { throw InstanceError.notFound(id: id) }
        try checkDiskLimit(limits)
        if limits.diskMiB != record.specification.limits.diskMiB {
            try await resizeDisk(of: id, from: record.specification.limits.diskMiB, to: limits.diskMiB)
            try change(id) { $0.specification.limits.diskMiB = limits.diskMiB }
        }
        // Docker next: limits it refuses are not kept, so the record never says what the container is not.
        if let containerID = record.containerID {
            do {
                try await docker.updateContainer(containerID, limits: ContainerBlueprint.containerLimits(limits))
            } catch {
                throw InstanceError.engine("Docker refused the new limits, so the old ones stay: \(error)")
            }
        }
        try change(id) { $0.specification.limits = limits }
        return try status(of: id)
    }

    /// A suspended instance is stopped and cannot start until unsuspended.
    func setSuspended(_ suspended: Bool, _ id: String) async throws -> InstanceStatus {
        let request = try change(id) { record in
            record.specification.suspended = suspended
            return try record.lifecycle.setSuspended(suspended)
        }
        sendStop(request, to: id)
        if suspended {
            consoles[id]?.publish(ConsoleMessage(event: .notice, data: "the instance was suspended"))
            consoles[id]?.disconnectAll()
        }
        return try status(of: id)
    }
}
