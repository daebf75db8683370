import FluentKit

/// The subusers table: who besides its owner reaches an instance. Rows go with their instance or user.
struct CreateSubusers: AsyncMigration {
    var name: String { "subusers" }

    func prepare(on database: any Database) async throws {
        try await database.schema(Subuser.schema)
            .id()
            .field("instance_id", .uuid, .required, .references(Instance.schema, .id, onDelete: .cascade))
            .field("user_id", .string, .required, .references(User.schema, "user_id", onDelete: .cascade))
            .field("permissions", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "instance_id", "user_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Subuser.schema).delete()
    }
}
