import Cron
import Foundation

/// What a body sets of a schedule, checked: each problem names its field. For a change, a missing
/// field keeps its value.
struct ScheduleSettings {
    var name: String?
    var cron: CronExpression?
    var timeZone: TimeZone?
    var onlyWhenOnline: Bool?
    var enabled: Bool?
    var tasks: [ScheduleTask]?

    static let fields: Set<String> = ["name", "cron", "timeZone", "onlyWhenOnline", "enabled", "tasks"]

    init(_ fields: RequestFields, creating: Bool) throws {
        if let unknown = fields.firstUnknown(among: Self.fields) {
            throw PanelError.invalid("\(unknown) is not a field of a schedule; it takes \(Self.fields.sorted().joined(separator: ", "))")
        }
        if fields.has("name") || creating {
            let name = try fields.exactString("name").trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.unicodeScalars.count <= 200, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else {
                throw PanelError.invalid("name must be one line of 1 to 200 characters")
            }
            self.name = name
        }
        if fields.has("cron") || creating {
            do {
                cron = try CronExpression(try fields.exactString("cron"))
            } catch let error as CronError {
                throw PanelError.invalid("cron: \(error.description)")
            }
        }
        if fields.has("timeZone") {
            let name = try fields.exactString("timeZone")
            guard let zone = TimeZone(identifier: name) else {
                throw PanelError.invalid("timeZone: \(name) is not a time zone; name one such as UTC or Europe/Berlin")
            }
            timeZone = zone
        } else if creating {
            timeZone = TimeZone(identifier: "UTC")
        }
        onlyWhenOnline = try fields.optionalBool("onlyWhenOnline") ?? (creating ? false : nil)
        enabled = try fields.optionalBool("enabled") ?? (creating ? true : nil)
        if fields.has("tasks") || creating { tasks = try ScheduleTask.parse(fields.value("tasks")) }
    }
}
