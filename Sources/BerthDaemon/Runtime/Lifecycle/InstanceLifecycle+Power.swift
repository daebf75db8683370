import BerthProtocol
import Foundation

extension InstanceLifecycle {
    /// How the supervisor asks a running process to stop.
    enum StopRequest: Sendable, Equatable {
        /// Nothing runs; nothing to do.
        case none
        /// Send the image's stop (or a kill) to the session, and kill it if it has not stopped in time.
        case signal(session: UUID?, kill: Bool)
    }

    /// Starts a new session. Returns its identity; the supervisor attaches to the container and starts it.
    mutating func requestStart(session newSession: UUID) throws -> UUID {
        try checkAvailable()
        switch install {
        case .installing: throw InstanceError.conflict("the instance is still installing")
        case .failed: throw InstanceError.conflict("the install failed; reinstall it first")
        case .ready: break
        }
        guard !suspended else { throw InstanceError.conflict("the instance is suspended") }
        guard isStopped else { throw InstanceError.conflict("the instance is already \(power.rawValue)") }
        shouldRun = true
        session = newSession
        offlineReason = nil
        power = .starting
        return newSession
    }

    /// Docker started the container of `startedSession`. A stop asked for meanwhile found nothing to
    /// stop, so it is asked again now.
    mutating func containerStarted(session startedSession: UUID) -> StopRequest {
        guard session == startedSession, power == .stopping else { return .none }
        return .signal(session: startedSession, kill: false)
    }

    /// An already running container was attached to (after a daemon restart): it runs.
    mutating func reattached(session attachedSession: UUID) {
        guard session == attachedSession else { return }
        power = .running
    }

    /// The container of `failedSession` could not be attached or started.
    mutating func startFailed(session failedSession: UUID, reason: String) {
        guard session == failedSession else { return }
        session = nil
        offlineReason = reason
        power = .offline
    }

    /// The ready pattern appeared (or there is none).
    mutating func becameReady(session readySession: UUID) {
        guard session == readySession, power == .starting else { return }
        power = .running
    }

    mutating func requestStop(kill: Bool) throws -> StopRequest {
        try checkAvailable()
        return stop(kill: kill)
    }

    mutating func stop(kill: Bool) -> StopRequest {
        shouldRun = false
        restartWhenStopped = false
        switch power {
        case .offline:
            return .none
        case .crashed:
            // Waiting to be restarted: cancelling the restart is the stop.
            power = .offline
            return .none
        case .starting, .running, .stopping:
            power = .stopping
            return .signal(session: session, kill: kill)
        }
    }

    /// Restarts a running instance (stop, then start once stopped) or starts a stopped one.
    enum RestartRequest: Sendable, Equatable {
        case start
        case stopThenStart(StopRequest)
    }

    mutating func requestRestart() throws -> RestartRequest {
        try checkAvailable()
        if isStopped { return .start }
        let stopping = stop(kill: false)
        restartWhenStopped = true
        return .stopThenStart(stopping)
    }

    /// Whether a stop's grace period ran out on the same session, so it must be killed.
    func stopTimedOut(session stoppingSession: UUID?) -> Bool {
        session == stoppingSession && power == .stopping
    }

    /// Suspending stops the instance; unsuspending lets it start again.
    mutating func setSuspended(_ suspended: Bool) throws -> StopRequest {
        try checkAvailable()
        self.suspended = suspended
        return suspended ? stop(kill: false) : .none
    }

    /// What follows the end of a container session.
    enum SessionOutcome: Sendable, Equatable {
        /// A session that a newer one replaced; nothing changes.
        case stale
        /// Offline, as asked or because the process exited cleanly.
        case stopped
        /// A restart was asked for: start again.
        case startAgain
        /// It crashed: start again after this wait.
        case restartAfter(Duration)
        /// It crashed too often; the crash policy leaves it offline.
        case gaveUp
    }

    /// The container stopped. A stop that was asked for leaves the instance offline; a clean exit too;
    /// anything else is a crash, restarted until the policy gives up.
    mutating func sessionEnded(
        session endedSession: UUID,
        exitCode: Int?,
        killedForMemory: Bool,
        at now: ContinuousClock.Instant,
        policy: CrashPolicy
    ) -> SessionOutcome {
        guard session == endedSession else { return .stale }
        session = nil
        let asked = power == .stopping || !shouldRun
        let restart = restartWhenStopped
        restartWhenStopped = false
        if asked {
            power = .offline
            return restart ? .startAgain : .stopped
        }
        if exitCode == 0 && !killedForMemory {
            shouldRun = false
            offlineReason = "the process exited by itself with code 0"
            power = .offline
            return .stopped
        }
        crashes = policy.recentCrashes(crashes, adding: now)
        let cause = killedForMemory ? "it ran out of memory" : "exit code \(exitCode.map(String.init) ?? "unknown")"
        if policy.givesUp(after: crashes.count) {
            shouldRun = false
            offlineReason =
                "crashed \(crashes.count) times within \(policy.window.components.seconds) seconds (last: \(cause)); not restarting"
            power = .offline
            return .gaveUp
        }
        offlineReason = "crashed (\(cause)); restarting"
        power = .crashed
        return .restartAfter(policy.backoff(after: crashes.count))
    }

    /// The wait after a crash is over: start again, unless someone stopped it meanwhile.
    var shouldRestartAfterCrash: Bool {
        power == .crashed && shouldRun && activity == .none
    }
}
