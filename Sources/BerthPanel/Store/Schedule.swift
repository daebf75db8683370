import FluentKit
import Foundation

/// A schedule of an instance: a cron expression in a time zone, and tasks run in order when it is due.
/// Due times are whole seconds since 1970, so that replicas compare them exactly when they claim a run.
final class Schedule: Model, @unchecked Sendable {
    static let schema = "schedules"

    @ID(key: .id) var id: UUID?
    @Parent(key: "instance_id") var instance: Instance
    @Field(key: "name") var name: String
    @Field(key: "cron") var cron: String
    /// An IANA name, such as `Europe/Berlin`.
    @Field(key: "time_zone") var timeZone: String
    /// Runs only while the instance is running; otherwise the due time passes with the outcome "skipped".
    @Field(key: "only_when_online") var onlyWhenOnline: Bool
    /// A paused schedule is not run when due (run now still runs it).
    @Field(key: "enabled") var enabled: Bool
    /// `[ScheduleTask]` as JSON.
    @Field(key: "tasks") var tasks: String
    /// When it is next due; nil while paused.
    @OptionalField(key: "next_run") var nextRun: Int?
    /// Someone asked to run it now; the runner clears this as it claims the run.
    @Field(key: "run_requested") var runRequested: Bool
    @OptionalField(key: "last_run") var lastRun: Int?
    /// `[ScheduleTaskOutcome]` of the last run as JSON.
    @OptionalField(key: "last_outcome") var lastOutcome: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// The tasks, as the panel wrote them; none if the column was edited by hand into something unreadable.
    var decodedTasks: [ScheduleTask] {
        (try? JSONDecoder().decode([ScheduleTask].self, from: Data(tasks.utf8))) ?? []
    }
}
