import Foundation

/// A schedule as the API and the web pages show it.
package struct ScheduleView: Codable, Sendable, Equatable {
    package let id: String
    package let name: String
    package let cron: String
    package let timeZone: String
    package let onlyWhenOnline: Bool
    package let enabled: Bool
    package let tasks: [ScheduleTask]
    /// ISO 8601, as every time the API shows.
    package let nextRunAt: String?
    package let lastRunAt: String?
    /// How each task of the last run went; empty before the first.
    package let lastOutcome: [ScheduleTaskOutcome]

    init(_ schedule: Schedule) {
        id = schedule.id?.uuidString.lowercased() ?? ""
        name = schedule.name
        cron = schedule.cron
        timeZone = schedule.timeZone
        onlyWhenOnline = schedule.onlyWhenOnline
        enabled = schedule.enabled
        tasks = schedule.decodedTasks
        nextRunAt = schedule.nextRun.map { Date(timeIntervalSince1970: Double($0)).formatted(.iso8601) }
        lastRunAt = schedule.lastRun.map { Date(timeIntervalSince1970: Double($0)).formatted(.iso8601) }
        lastOutcome = schedule.lastOutcome.flatMap { try? JSONDecoder().decode([ScheduleTaskOutcome].self, from: Data($0.utf8)) } ?? []
    }
}
