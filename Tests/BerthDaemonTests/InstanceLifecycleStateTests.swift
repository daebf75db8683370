import BerthProtocol
import Foundation
import Testing

@testable import BerthDaemon

/// The lifecycle's decisions, event by event, without Docker: every transition the supervisor relies on.
@Suite("Instance lifecycle state machine")
struct InstanceLifecycleStateTests {
    let policy = CrashPolicy(limit: 3, window: .seconds(60))

    /// An installed, stopped instance.
    func ready(suspended: Bool = false) -> InstanceLifecycle {
        var lifecycle = InstanceLifecycle(suspended: suspended)
        lifecycle.installFinished(failure: nil)
        return lifecycle
    }

    /// An installed instance whose process runs under `session`.
    func running(_ session: UUID = UUID()) throws -> InstanceLifecycle {
        var lifecycle = ready()
        _ = try lifecycle.requestStart(session: session)
        lifecycle.becameReady(session: session)
        return lifecycle
    }

    func conflictMessage(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch InstanceError.conflict(let message) {
            return message
        } catch {
            return "unexpected \(error)"
        }
    }

    // MARK: - Install

    @Test("a new instance installs; success makes it ready and stopped, failure keeps the reason")
    func install() {
        var lifecycle = InstanceLifecycle(suspended: false)
        #expect(lifecycle.install == .installing && lifecycle.activity == .installing && lifecycle.power == .offline)
        lifecycle.installFinished(failure: nil)
        #expect(lifecycle.install == .ready && lifecycle.activity == .none && lifecycle.reason == nil)

        var failing = InstanceLifecycle(suspended: false)
        failing.installFinished(failure: "the install script exited with code 1")
        #expect(failing.install == .failed)
        #expect(failing.reason == "the install script exited with code 1")
    }

    @Test("starting is refused while installing, after a failed install, and while suspended")
    func startRefusals() {
        var installing = InstanceLifecycle(suspended: false)
        #expect(conflictMessage { _ = try installing.requestStart(session: UUID()) } == "the instance is still installing")
        var failed = InstanceLifecycle(suspended: false)
        failed.installFinished(failure: "boom")
        #expect(conflictMessage { _ = try failed.requestStart(session: UUID()) } == "the install failed; reinstall it first")
        var suspended = ready(suspended: true)
        #expect(conflictMessage { _ = try suspended.requestStart(session: UUID()) } == "the instance is suspended")
        #expect(suspended.power == .offline && !suspended.shouldRun, "a refused start changes nothing")
    }

    @Test("reinstalling needs a stopped instance that is not installing")
    func reinstall() throws {
        var runningInstance = try running()
        #expect(conflictMessage { try runningInstance.requestReinstall() } == "stop the instance before reinstalling it")
        var installing = InstanceLifecycle(suspended: false)
        #expect(conflictMessage { try installing.requestReinstall() } == "the instance is already installing")
        var failed = InstanceLifecycle(suspended: false)
        failed.installFinished(failure: "boom")
        try failed.requestReinstall()
        #expect(failed.install == .installing && failed.reason == nil && failed.activity == .installing)
    }

    // MARK: - Power

    @Test("start → starting → running (ready pattern) → stop → stopping → offline")
    func startAndStop() throws {
        var lifecycle = ready()
        let session = try lifecycle.requestStart(session: UUID())
        #expect(lifecycle.power == .starting && lifecycle.shouldRun && lifecycle.session == session)
        #expect(conflictMessage { _ = try lifecycle.requestStart(session: UUID()) } == "the instance is already starting")
        #expect(lifecycle.containerStarted(session: session) == .none)
        lifecycle.becameReady(session: session)
        #expect(lifecycle.power == .running && lifecycle.acceptsCommands)
        #expect(try lifecycle.requestStop(kill: false) == .signal(session: session, kill: false))
        #expect(lifecycle.power == .stopping && !lifecycle.shouldRun)
        #expect(lifecycle.stopTimedOut(session: session), "a stop still pending after its grace period is killed")
        let outcome = lifecycle.sessionEnded(
            session: session,
            exitCode: 143,
            killedForMemory: false,
            at: .now,
            policy: policy
        )
        #expect(outcome == .stopped && lifecycle.power == .offline && lifecycle.session == nil)
        #expect(!lifecycle.stopTimedOut(session: session))
        #expect(lifecycle.crashes.isEmpty, "a stop that was asked for is no crash")
    }

    @Test("a kill is a stop that signals SIGKILL; stopping what is offline does nothing")
    func killAndIdleStop() throws {
        let session = UUID()
        var lifecycle = try running(session)
        #expect(try lifecycle.requestStop(kill: true) == .signal(session: session, kill: true))
        var offline = ready()
        #expect(try offline.requestStop(kill: false) == .none)
        #expect(offline.power == .offline)
    }

    @Test("a stop while starting waits for the container to start, then is sent again")
    func stopDuringStart() throws {
        var lifecycle = ready()
        let session = try lifecycle.requestStart(session: UUID())
        #expect(try lifecycle.requestStop(kill: false) == .signal(session: session, kill: false))
        #expect(lifecycle.power == .stopping)
        #expect(lifecycle.containerStarted(session: session) == .signal(session: session, kill: false))
        lifecycle.becameReady(session: session)
        #expect(lifecycle.power == .stopping, "output matching the ready pattern does not undo the stop")
        #expect(
            lifecycle.sessionEnded(session: session, exitCode: 0, killedForMemory: false, at: .now, policy: policy)
                == .stopped
        )
        #expect(lifecycle.power == .offline)
    }

    @Test("a start that Docker refuses leaves the instance offline with the reason")
    func startFailed() throws {
        var lifecycle = ready()
        let session = try lifecycle.requestStart(session: UUID())
        lifecycle.startFailed(session: session, reason: "port 25565 is already in use")
        #expect(lifecycle.power == .offline && lifecycle.session == nil)
        #expect(lifecycle.reason == "port 25565 is already in use")
    }

    @Test("restart stops a running instance and starts it once stopped; a stopped one just starts")
    func restart() throws {
        let session = UUID()
        var lifecycle = try running(session)
        #expect(try lifecycle.requestRestart() == .stopThenStart(.signal(session: session, kill: false)))
        #expect(
            lifecycle.sessionEnded(session: session, exitCode: 0, killedForMemory: false, at: .now, policy: policy)
                == .startAgain
        )
        #expect(lifecycle.power == .offline)
        var stopped = ready()
        #expect(try stopped.requestRestart() == .start)
    }

    @Test("a session replaced by a newer one changes nothing when it ends")
    func staleSession() throws {
        let old = UUID()
        var lifecycle = try running(old)
        _ = try lifecycle.requestStop(kill: false)
        _ = lifecycle.sessionEnded(session: old, exitCode: 0, killedForMemory: false, at: .now, policy: policy)
        let new = try lifecycle.requestStart(session: UUID())
        #expect(
            lifecycle.sessionEnded(session: old, exitCode: 1, killedForMemory: false, at: .now, policy: policy) == .stale
        )
        lifecycle.becameReady(session: old)
        #expect(lifecycle.power == .starting && lifecycle.session == new)
    }

    @Test("a clean exit by itself leaves the instance offline and not to be restarted")
    func cleanExit() throws {
        let session = UUID()
        var lifecycle = try running(session)
        #expect(
            lifecycle.sessionEnded(session: session, exitCode: 0, killedForMemory: false, at: .now, policy: policy)
                == .stopped
        )
        #expect(lifecycle.power == .offline && !lifecycle.shouldRun)
        #expect(lifecycle.reason == "the process exited by itself with code 0")
    }

    // MARK: - Crashes

    @Test("crashes restart after 1 s, then 2 s; the third within the window gives up")
    func crashBackoffAndGiveUp() throws {
        var lifecycle = ready()
        let start = ContinuousClock.now
        var expected: [InstanceLifecycle.SessionOutcome] = [.restartAfter(.seconds(1)), .restartAfter(.seconds(2)), .gaveUp]
        for crash in 0..<3 {
            let session = try lifecycle.requestStart(session: UUID())
            let outcome = lifecycle.sessionEnded(
                session: session,
                exitCode: 1,
                killedForMemory: false,
                at: start + .seconds(crash),
                policy: policy
            )
            #expect(outcome == expected.removeFirst())
            if crash < 2 {
                #expect(lifecycle.power == .crashed && lifecycle.shouldRestartAfterCrash)
                #expect(lifecycle.reason == "crashed (exit code 1); restarting")
            }
        }
        #expect(lifecycle.power == .offline && !lifecycle.shouldRun && !lifecycle.shouldRestartAfterCrash)
        #expect(lifecycle.reason == "crashed 3 times within 60 seconds (last: exit code 1); not restarting")
    }

    @Test("crashes older than the window are forgotten, so a server that crashes rarely is always restarted")
    func crashWindow() throws {
        var lifecycle = ready()
        let start = ContinuousClock.now
        for crash in 0..<5 {
            let session = try lifecycle.requestStart(session: UUID())
            let outcome = lifecycle.sessionEnded(
                session: session,
                exitCode: 1,
                killedForMemory: false,
                at: start + .seconds(61 * crash),
                policy: policy
            )
            #expect(outcome == .restartAfter(.seconds(1)))
        }
    }

    @Test("running out of memory is a crash even with exit code 0")
    func outOfMemory() throws {
        let session = UUID()
        var lifecycle = try running(session)
        let outcome = lifecycle.sessionEnded(
            session: session,
            exitCode: 0,
            killedForMemory: true,
            at: .now,
            policy: policy
        )
        #expect(outcome == .restartAfter(.seconds(1)))
        #expect(lifecycle.reason == "crashed (it ran out of memory); restarting")
    }

    @Test("stopping a crashed instance cancels its restart")
    func stopWhileCrashed() throws {
        let session = UUID()
        var lifecycle = try running(session)
        _ = lifecycle.sessionEnded(session: session, exitCode: 1, killedForMemory: false, at: .now, policy: policy)
        #expect(try lifecycle.requestStop(kill: false) == .none)
        #expect(lifecycle.power == .offline && !lifecycle.shouldRestartAfterCrash)
    }

    @Test("the backoff doubles and is bounded")
    func backoff() {
        #expect(policy.backoff(after: 1) == .seconds(1))
        #expect(policy.backoff(after: 4) == .seconds(8))
        #expect(policy.backoff(after: 1000) == .seconds(65536))
    }

    // MARK: - Suspension

    @Test("suspending a running instance stops it; unsuspending lets it start again")
    func suspension() throws {
        let session = UUID()
        var lifecycle = try running(session)
        #expect(try lifecycle.setSuspended(true) == .signal(session: session, kill: false))
        #expect(lifecycle.suspended && lifecycle.power == .stopping)
        _ = lifecycle.sessionEnded(session: session, exitCode: 143, killedForMemory: false, at: .now, policy: policy)
        #expect(conflictMessage { _ = try lifecycle.requestStart(session: UUID()) } == "the instance is suspended")
        #expect(try lifecycle.setSuspended(false) == .none)
        _ = try lifecycle.requestStart(session: UUID())
        #expect(lifecycle.power == .starting)
    }

    // MARK: - Deletion

    @Test("delete during install is accepted; start and reinstall during delete are refused")
    func deletion() throws {
        var lifecycle = InstanceLifecycle(suspended: false)
        try lifecycle.requestDelete()
        #expect(lifecycle.activity == .deleting && !lifecycle.shouldRun)
        lifecycle.installFinished(failure: nil)
        #expect(lifecycle.install == .installing, "an install that ends during the delete does not revive the instance")
        #expect(conflictMessage { _ = try lifecycle.requestStart(session: UUID()) } == "the instance is being deleted")
        #expect(conflictMessage { try lifecycle.requestReinstall() } == "the instance is being deleted")
        #expect(conflictMessage { _ = try lifecycle.requestStop(kill: false) } == "the instance is being deleted")
        try lifecycle.requestDelete()
        #expect(lifecycle.activity == .deleting, "a retried delete goes ahead")
    }

    @Test("a delete that Docker could not finish leaves the instance usable")
    func deleteFailed() throws {
        var lifecycle = ready()
        try lifecycle.requestDelete()
        lifecycle.deleteFailed()
        #expect(lifecycle.activity == .none)
        _ = try lifecycle.requestStart(session: UUID())
        #expect(lifecycle.power == .starting)
    }

    @Test("deleting a running instance stops it from being restarted")
    func deleteRunning() throws {
        let session = UUID()
        var lifecycle = try running(session)
        try lifecycle.requestDelete()
        #expect(
            lifecycle.sessionEnded(session: session, exitCode: 137, killedForMemory: false, at: .now, policy: policy)
                == .stopped
        )
    }

    // MARK: - Reconciliation

    func restored(_ install: InstallState, shouldRun: Bool, suspended: Bool = false) -> InstanceLifecycle {
        InstanceLifecycle(restoring: install, installFailure: nil, shouldRun: shouldRun, suspended: suspended)
    }

    @Test("until reconciled, a restored instance refuses every request as unavailable")
    func unavailableUntilReconciled() {
        var lifecycle = restored(.ready, shouldRun: false)
        #expect(throws: InstanceError.self) { _ = try lifecycle.requestStart(session: UUID()) }
        do {
            try lifecycle.requestDelete()
            Issue.record("a delete before reconciliation was accepted")
        } catch InstanceError.unavailable {
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(lifecycle.activity == .reconciling)
    }

    @Test("reconciliation: an install cut short fails; a failed one stays failed")
    func reconcileInstalls() {
        var installing = restored(.installing, shouldRun: false)
        #expect(installing.reconcile(with: .missing, session: UUID()) == .keep)
        #expect(installing.install == .failed)
        #expect(installing.reason == "the daemon stopped while this instance was installing; reinstall it")
        var failed = restored(.failed, shouldRun: false)
        #expect(failed.reconcile(with: .stopped, session: UUID()) == .keep)
        #expect(failed.install == .failed && failed.activity == .none)
    }

    @Test("reconciliation: a running container is reattached and then runs")
    func reconcileRunning() {
        var lifecycle = restored(.ready, shouldRun: true)
        let session = UUID()
        #expect(lifecycle.reconcile(with: .running, session: session) == .reattach(session: session))
        lifecycle.reattached(session: session)
        #expect(lifecycle.power == .running)
    }

    @Test("reconciliation: a stopped container starts only when it should run and is not suspended")
    func reconcileStopped() {
        let session = UUID()
        var shouldRun = restored(.ready, shouldRun: true)
        #expect(shouldRun.reconcile(with: .stopped, session: session) == .start(session: session))
        #expect(shouldRun.power == .starting)
        var stopped = restored(.ready, shouldRun: false)
        #expect(stopped.reconcile(with: .stopped, session: session) == .keep)
        var suspended = restored(.ready, shouldRun: true, suspended: true)
        #expect(suspended.reconcile(with: .stopped, session: session) == .keep)
        #expect(suspended.power == .offline)
    }

    @Test("reconciliation: a missing container is recreated, or the instance fails when it cannot be")
    func reconcileMissing() {
        var lifecycle = restored(.ready, shouldRun: true)
        #expect(lifecycle.reconcile(with: .missing, session: UUID()) == .recreateContainer)
        #expect(lifecycle.activity == .reconciling, "still unknown until the container exists")
        let session = UUID()
        #expect(lifecycle.reconcile(with: .stopped, session: session) == .start(session: session))

        var unrecoverable = restored(.ready, shouldRun: true)
        _ = unrecoverable.reconcile(with: .missing, session: UUID())
        unrecoverable.recreationFailed(reason: "image gone")
        #expect(unrecoverable.install == .failed)
        #expect(unrecoverable.reason == "its container was missing and could not be recreated: image gone")
    }

    @Test("without Docker, reconciliation leaves the instances as saved and lets requests through; it resumes when Docker answers")
    func reconciliationSkipped() throws {
        var lifecycle = restored(.ready, shouldRun: true)
        lifecycle.reconciliationSkipped()
        #expect(lifecycle.activity == .none && lifecycle.shouldRun)
        var resumed = lifecycle
        _ = try lifecycle.requestStart(session: UUID())

        // Docker answers again: one left alone is reconciled then; one a request has set going is not.
        #expect(resumed.resumeReconciliation() && resumed.activity == .reconciling)
        #expect(resumed.reconcile(with: .stopped, session: UUID()) != .keep, "it should run, so it starts")
        #expect(!lifecycle.resumeReconciliation() && lifecycle.activity == .none)
        var deleting = restored(.ready, shouldRun: false)
        deleting.reconciliationSkipped()
        deleting.activity = .deleting
        #expect(!deleting.resumeReconciliation() && deleting.activity == .deleting)
    }

    // MARK: - Saved state

    @Test("the state file keeps the saved part of the lifecycle, in the shape earlier daemons wrote")
    func savedShape() throws {
        var record = InstanceRecord(
            specification: InstanceSpecification(
                id: "abc",
                name: "abc",
                image: RuntimeImage(dockerImage: "berth-test/busybox:latest", startup: "sleep 1"),
                limits: ResourceLimits(memoryMiB: 64, cpuCores: 1),
                ports: []
            ),
            hostID: 200_007
        )
        record.lifecycle.installFinished(failure: "boom")
        record.containerID = "c1"
        let data = try JSONEncoder().encode(record)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["installState"] as? String == "FAILED")
        #expect(json["reason"] as? String == "boom")
        #expect(json["shouldRun"] as? Bool == false)
        #expect(json["containerID"] as? String == "c1")
        let restoredRecord = try JSONDecoder().decode(InstanceRecord.self, from: data)
        #expect(restoredRecord.lifecycle.install == .failed && restoredRecord.lifecycle.reason == "boom")
        #expect(restoredRecord.lifecycle.activity == .reconciling)
        #expect(restoredRecord.savesSame(as: record))
        #expect(restoredRecord.hostID == 200_007)

        // A record saved before instances had ids of their own ran as 1000, and keeps running as 1000.
        var legacy = json
        legacy["hostID"] = nil
        let legacyRecord = try JSONDecoder().decode(InstanceRecord.self, from: JSONSerialization.data(withJSONObject: legacy))
        #expect(legacyRecord.hostID == InstanceRecord.sharedLegacyID)
    }
}
