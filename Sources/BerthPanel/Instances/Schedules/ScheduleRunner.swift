import BerthProtocol
import FluentKit
import Foundation
import Logging
import SQLKit
import ServiceLifecycle

/// Runs schedules when they are due. Every panel process runs one; a run is claimed with one conditional
/// `UPDATE … RETURNING` that moves the schedule's due time on, so of two replicas looking at once only one
/// runs it. A due time missed while no panel ran is run once, late, and the next is counted from now:
/// never the same schedule several times to catch up.
package struct ScheduleRunner: Service {
    let instances: InstanceStore
    let interval: Duration
    let logger: Logger

    package func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    for run in await claimDue(at: Date()) {
                        group.addTask { await execute(run) }
                    }
                    guard (try? await Task.sleep(for: interval)) != nil else { break }
                }
            }
        }
    }

    /// Claims the schedules due at `now` and runs them, each to its end: what the service does in the
    /// background, for tests with a clock of their own.
    @discardableResult
    package func runDue(at now: Date) async -> [ScheduleView] {
        let runs = await claimDue(at: now)
        await withTaskGroup(of: Void.self) { group in
            for run in runs { group.addTask { await execute(run) } }
        }
        var views: [ScheduleView] = []
        for run in runs {
            if let schedule = try? await Schedule.find(run.id, on: instances.database.db()) { views.append(ScheduleView(schedule)) }
        }
        return views
    }

    struct ClaimedRun: Sendable {
        let id: UUID
        let instanceID: String
        let onlyWhenOnline: Bool
        let tasks: [ScheduleTask]
    }

    // MARK: - Claiming

    func claimDue(at now: Date) async -> [ClaimedRun] {
        let moment = Int(now.timeIntervalSince1970)
        do {
            let candidates = try await Schedule.query(on: instances.database.db())
                .group(.or) { either in
                    either.group(.and) { $0.filter(\.$enabled == true).filter(\.$nextRun <= moment) }
                    either.filter(\.$runRequested == true)
                }
                .all()
            var claimed: [ClaimedRun] = []
            for schedule in candidates where try await claim(schedule, at: now) {
                claimed.append(
                    ClaimedRun(
                        id: try schedule.requireID(),
                        instanceID: schedule.$instance.id.uuidString.lowercased(),
                        onlyWhenOnline: schedule.onlyWhenOnline,
                        tasks: schedule.decodedTasks
                    )
                )
            }
            return claimed
        } catch {
            logger.error("due schedules could not be read: \(error)")
            return []
        }
    }

    /// Takes the run for this process: the row changes only if no other process changed it first.
    private func claim(_ schedule: Schedule, at now: Date) async throws -> Bool {
        let id = try schedule.requireID()
        let moment = Int(now.timeIntervalSince1970)
        let query: SQLQueryString
        if schedule.runRequested {
            query = """
                UPDATE schedules SET run_requested = \(bind: false), last_run = \(bind: moment) \
                WHERE id = \(bind: id) AND run_requested = \(bind: true) RETURNING id
                """
        } else {
            guard let due = schedule.nextRun else { return false }
            let next: Int?
            do {
                next = try InstanceSchedules.nextRun(of: schedule, after: now)
            } catch {
                logger.error("schedule \(id) cannot be run: \(error)")
                return false
            }
            query = """
                UPDATE schedules SET next_run = \(bind: next), last_run = \(bind: moment) \
                WHERE id = \(bind: id) AND next_run = \(bind: due) RETURNING id
                """
        }
        return try await instances.database.sql().raw(query).first() != nil
    }

    // MARK: - Running

    /// Runs the tasks in order, each after its delay; a failed task ends the run, and those after it are
    /// not run. The outcome of each is kept with the schedule.
    func execute(_ run: ClaimedRun) async {
        var outcomes: [ScheduleTaskOutcome] = []
        if run.onlyWhenOnline, (try? await instances.view(run.instanceID))?.powerState != PowerState.running.rawValue {
            outcomes = run.tasks.map { ScheduleTaskOutcome(action: $0.action, status: .skipped, message: "the instance was not running") }
        } else {
            var failed = false
            for task in run.tasks {
                guard !failed else {
                    outcomes.append(ScheduleTaskOutcome(action: task.action, status: .notRun, message: nil))
                    continue
                }
                if task.delay > 0 { try? await Task.sleep(for: .seconds(task.delay)) }
                do {
                    try await perform(task, on: run.instanceID)
                    outcomes.append(ScheduleTaskOutcome(action: task.action, status: .done, message: nil))
                } catch {
                    failed = true
                    let message = (error as? PanelError)?.message ?? "\(error)"
                    outcomes.append(ScheduleTaskOutcome(action: task.action, status: .failed, message: message))
                    logger.warning("schedule \(run.id) of instance \(run.instanceID): \(task.action.rawValue) failed: \(message)")
                }
            }
        }
        do {
            let outcome = String(decoding: try JSONEncoder().encode(outcomes), as: UTF8.self)
            try await Schedule.query(on: instances.database.db()).filter(\.$id == run.id).set(\.$lastOutcome, to: outcome).update()
        } catch {
            logger.error("the outcome of schedule \(run.id) could not be saved: \(error)")
        }
    }

    private func perform(_ task: ScheduleTask, on id: String) async throws {
        switch task.action {
        case .command:
            try await instances.sendCommand(task.value ?? "", to: id)
        case .power:
            guard let action = PowerAction(rawValue: task.value ?? "") else { throw PanelError.corrupt("unknown power action") }
            _ = try await instances.power(action, id)
        case .backup:
            _ = try await instances.backups.create(id, name: "Scheduled backup", as: .administrator, rotating: true)
        }
    }
}

extension ScheduleRunner: CustomStringConvertible {
    /// Only the name: ServiceLifecycle logs its services at debug level, and the stores it holds reach the nodes' secrets.
    package var description: String { "ScheduleRunner" }
}
