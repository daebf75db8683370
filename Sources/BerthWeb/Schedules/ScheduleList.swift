import BerthPanel
import Foundation

/// What the schedules page shows: each schedule with its next and last run and how the last went.
struct ScheduleList {
    let instanceID: String
    let instanceName: String
    let rows: [Row]
    let isEmpty: Bool
    let example: String
    let timeZones: [Choice]

    struct Row {
        let id: String
        let name: String
        let cron: String
        let timeZone: String
        let enabled: Bool
        let onlyWhenOnline: Bool
        let taskLines: String
        let nextRun: String
        let lastRun: String
        let outcomes: [Outcome]
        let hasOutcomes: Bool
    }

    struct Outcome {
        let action: String
        let status: String
        let failed: Bool
        let message: String?
    }

    init(instanceID: String, instanceName: String, schedules: [ScheduleView]) {
        self.instanceID = instanceID
        self.instanceName = instanceName
        isEmpty = schedules.isEmpty
        example = ScheduleTaskLines.example
        timeZones = TimeZone.knownTimeZoneIdentifiers.sorted().map { Choice(value: $0, label: $0, selected: false) }
        rows = schedules.map { schedule in
            Row(
                id: schedule.id,
                name: schedule.name,
                cron: schedule.cron,
                timeZone: schedule.timeZone,
                enabled: schedule.enabled,
                onlyWhenOnline: schedule.onlyWhenOnline,
                taskLines: ScheduleTaskLines.lines(schedule.tasks),
                nextRun: schedule.nextRunAt.map(Self.shown) ?? "paused",
                lastRun: schedule.lastRunAt.map(Self.shown) ?? "never",
                outcomes: schedule.lastOutcome.map {
                    Outcome(action: $0.action.rawValue, status: $0.status.rawValue, failed: $0.status == .failed, message: $0.message)
                },
                hasOutcomes: !schedule.lastOutcome.isEmpty
            )
        }
    }

    /// `2026-12-03T03:00:00Z` → `2026-12-03 03:00 UTC`.
    static func shown(_ iso: String) -> String {
        String(iso.prefix(16)).replacingOccurrences(of: "T", with: " ") + " UTC"
    }
}
