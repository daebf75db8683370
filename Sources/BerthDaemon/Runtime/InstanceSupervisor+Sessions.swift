import BerthProtocol
import DockerEngine
import Foundation

extension InstanceSupervisor {
    /// Attaches to the container and, unless it already runs, starts it. Returns once it started.
    func runSession(_ session: UUID, of id: String, containerID: String, startContainer: Bool) async throws {
        guard let record = records[id], let console = consoles[id] else { throw InstanceError.notFound(id: id) }
        let containerSession = ContainerSession(
            instanceID: id,
            containerID: containerID,
            session: session,
            readyPatterns: record.specification.image.allReadyPatterns,
            docker: docker,
            console: console,
            supervisor: self
        )
        do {
            try await withCheckedThrowingContinuation { (started: CheckedContinuation<Void, any Error>) in
                let spawned = tasks.spawn {
                    await containerSession.run(startContainer: startContainer, started: started)
                }
                if !spawned { started.resume(throwing: CancellationError()) }
            }
        } catch {
            let reason = InstanceError.describe(error)
            if records[id]?.lifecycle.session == session { inputs[id] = nil }
            note(id) { $0.lifecycle.startFailed(session: session, reason: reason) }
            throw InstanceError.engine("the instance could not start: \(reason)")
        }
        if startContainer {
            // Its ports are published now: other instances may reach them at the node's address.
            tasks.spawn { [network = installer.network] in await network.refresh() }
            let stop = note(id) { $0.lifecycle.containerStarted(session: session) }
            if let stop { sendStop(stop, to: id) }
        } else {
            // A container that was already running counts as running once its console is attached,
            // so a command sent the moment it shows as running reaches it.
            note(id) { $0.lifecycle.reattached(session: session) }
        }
    }

    func sessionAttached(_ id: String, session: UUID, input: ContainerInput) {
        guard records[id]?.lifecycle.session == session else { return }
        inputs[id] = input
    }

    func sessionReady(_ id: String, session: UUID) {
        note(id) { $0.lifecycle.becameReady(session: session) }
    }

    /// The container stopped: the lifecycle says whether that was asked for, a clean exit, or a crash.
    func sessionEnded(_ id: String, session: UUID, exitCode: Int?, killedForMemory: Bool) {
        guard records[id]?.lifecycle.session == session else { return }
        inputs[id] = nil
        let outcome = note(id) { record in
            record.lastExitCode = exitCode
            return record.lifecycle.sessionEnded(
                session: session,
                exitCode: exitCode,
                killedForMemory: killedForMemory,
                at: .now,
                policy: crashPolicy
            )
        }
        if let outcome,
            let line = Self.processLine(outcome, exitCode: exitCode, killedForMemory: killedForMemory, reason: records[id]?.lifecycle.reason)
        {
            consoles[id]?.publishNotice(line)
        }
        switch outcome {
        case .startAgain:
            tasks.spawn { [logger] in
                do {
                    try await self.start(id)
                } catch {
                    logger.about(instance: id).warning(
                        "instance \(id) was stopped to restart, but could not start: \(InstanceError.describe(error))"
                    )
                }
            }
        case .restartAfter(let backoff):
            tasks.spawn {
                guard (try? await Task.sleep(for: backoff)) != nil else { return }
                await self.restartAfterCrash(id)
            }
        case .gaveUp:
            logger.about(instance: id).warning("instance \(id) gave up: \(records[id]?.lifecycle.reason ?? "")")
        case .stale, .stopped, nil:
            break
        }
    }

    /// Berth's console line for how a run ended, beyond the state it leaves: a crash with its exit code
    /// and whether memory ran out, and what the crash policy does next.
    static func processLine(_ outcome: InstanceLifecycle.SessionOutcome, exitCode: Int?, killedForMemory: Bool, reason: String?) -> String? {
        let exit = [exitCode.map { "exit code \($0)" }, killedForMemory ? "out of memory: killed at its memory limit" : nil]
            .compactMap { $0 }.joined(separator: ", ")
        let how = exit.isEmpty ? "" : " (\(exit))"
        switch outcome {
        case .restartAfter(let wait):
            return "server crashed\(how); the crash policy restarts it in \(wait.components.seconds) s"
        case .gaveUp:
            return "server crashed\(how); not restarted: \(reason ?? "it crashed too often")"
        case .startAgain:
            return "restarting"
        case .stopped where exitCode != nil && !killedForMemory && reason != nil:
            return "server exited by itself\(how)"
        case .stale, .stopped:
            return nil
        }
    }

    private func restartAfterCrash(_ id: String) async {
        guard records[id]?.lifecycle.shouldRestartAfterCrash == true else { return }
        metrics.counter("berth_daemon_crash_restarts_total").increment()
        do {
            try await start(id)
        } catch {
            logger.about(instance: id).warning("instance \(id) could not be restarted after a crash: \(error)")
        }
    }
}
