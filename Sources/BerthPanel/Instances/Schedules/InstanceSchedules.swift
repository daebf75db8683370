import Cron
import FluentKit
import Foundation

/// An instance's schedules: set up by those with the `schedules` permission, who must also hold what each
/// task does (a console command, that power action, backups). The ``ScheduleRunner`` runs them.
package struct InstanceSchedules: Sendable {
    let store: InstanceStore

    /// At most this many schedules per instance.
    static let mostPerInstance = 20

    package func list(_ id: String, as role: InstanceRole) async throws -> [ScheduleView] {
        let instanceID = try await instance(id, as: role)
        return try await Schedule.query(on: store.database.db()).filter(\.$instance.$id == instanceID).sort(\.$createdAt).sort(\.$id).all()
            .map(ScheduleView.init)
    }

    package func create(_ id: String, _ fields: RequestFields, as role: InstanceRole, now: Date = Date()) async throws -> ScheduleView {
        let instanceID = try await instance(id, as: role)
        let settings = try ScheduleSettings(fields, creating: true)
        let count = try await Schedule.query(on: store.database.db()).filter(\.$instance.$id == instanceID).count()
        guard count < Self.mostPerInstance else { throw PanelError.conflict("an instance has at most \(Self.mostPerInstance) schedules") }
        let schedule = Schedule()
        schedule.$instance.id = instanceID
        schedule.runRequested = false
        try apply(settings, to: schedule, as: role, now: now)
        try await schedule.create(on: store.database.db())
        return ScheduleView(schedule)
    }

    package func update(
        _ id: String,
        schedule scheduleID: String,
        _ fields: RequestFields,
        as role: InstanceRole,
        now: Date = Date()
    ) async throws
        -> ScheduleView
    {
        let schedule = try await find(scheduleID, of: id, as: role)
        try apply(try ScheduleSettings(fields, creating: false), to: schedule, as: role, now: now)
        try await schedule.save(on: store.database.db())
        return ScheduleView(schedule)
    }

    package func delete(_ id: String, schedule scheduleID: String, as role: InstanceRole) async throws {
        try await find(scheduleID, of: id, as: role).delete(on: store.database.db())
    }

    /// Asks for a run as soon as the runner looks (within seconds), paused or not; the schedule's due times
    /// stay as they are.
    package func requestRun(_ id: String, schedule scheduleID: String, as role: InstanceRole) async throws -> ScheduleView {
        let schedule = try await find(scheduleID, of: id, as: role)
        try checkTasks(schedule.decodedTasks, as: role)
        schedule.runRequested = true
        try await schedule.save(on: store.database.db())
        return ScheduleView(schedule)
    }

    // MARK: - Settings

    private func apply(_ settings: ScheduleSettings, to schedule: Schedule, as role: InstanceRole, now: Date) throws {
        if let tasks = settings.tasks {
            try checkTasks(tasks, as: role)
            schedule.tasks = String(decoding: try JSONEncoder().encode(tasks), as: UTF8.self)
        }
        if let name = settings.name { schedule.name = name }
        if let cron = settings.cron { schedule.cron = cron.description }
        if let zone = settings.timeZone { schedule.timeZone = zone.identifier }
        if let onlyWhenOnline = settings.onlyWhenOnline { schedule.onlyWhenOnline = onlyWhenOnline }
        if let enabled = settings.enabled { schedule.enabled = enabled }
        schedule.nextRun = schedule.enabled ? try Self.nextRun(of: schedule, after: now) : nil
    }

    /// Whoever sets up a schedule must hold what its tasks do.
    private func checkTasks(_ tasks: [ScheduleTask], as role: InstanceRole) throws {
        for task in tasks { try role.require(task.permission) }
    }

    /// The schedule's next due time after `moment`, in whole seconds.
    static func nextRun(of schedule: Schedule, after moment: Date) throws -> Int? {
        guard let zone = TimeZone(identifier: schedule.timeZone), let cron = try? CronExpression(schedule.cron) else {
            throw PanelError.corrupt("schedule \(schedule.name) has an expression or time zone this panel cannot read")
        }
        return try cron.next(after: moment, in: zone).map { Int($0.timeIntervalSince1970) }
    }

    // MARK: - Finding

    private func instance(_ id: String, as role: InstanceRole) async throws -> UUID {
        try role.require(.schedules)
        guard let uuid = UUID(uuidString: id), let instance = try await Instance.find(uuid, on: store.database.db()) else {
            throw PanelError.notFound("no instance with that id")
        }
        return try instance.requireID()
    }

    private func find(_ scheduleID: String, of id: String, as role: InstanceRole) async throws -> Schedule {
        let instanceID = try await instance(id, as: role)
        guard let uuid = UUID(uuidString: scheduleID),
            let schedule = try await Schedule.query(on: store.database.db()).filter(\.$id == uuid).filter(\.$instance.$id == instanceID).first()
        else {
            throw PanelError.notFound("the instance has no schedule with that id")
        }
        return schedule
    }
}

extension InstanceStore {
    /// The instances' schedules.
    package var schedules: InstanceSchedules { InstanceSchedules(store: self) }
}
