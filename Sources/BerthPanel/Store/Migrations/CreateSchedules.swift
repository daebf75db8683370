import FluentKit
import SQLKit

/// The schedules table; rows go with their instance.
struct CreateSchedules: AsyncMigration {
    var name: String { "schedules" }

    func prepare(on database: any Database) async throws {
        try await database.schema(Schedule.schema)
            .id()
            .field("instance_id", .uuid, .required, .references(Instance.schema, .id, onDelete: .cascade))
            .field("name", .string, .required)
            .field("cron", .string, .required)
            .field("time_zone", .string, .required)
            .field("only_when_online", .bool, .required)
            .field("enabled", .bool, .required)
            .field("tasks", .string, .required)
            .field("next_run", .int64)
            .field("run_requested", .bool, .required)
            .field("last_run", .int64)
            .field("last_outcome", .string)
            .field("created_at", .datetime)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX schedules_due ON schedules (next_run)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Schedule.schema).delete()
    }
}
