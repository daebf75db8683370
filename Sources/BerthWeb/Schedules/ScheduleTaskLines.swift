import BerthPanel

/// A schedule's tasks as the page writes them, one per line: `command <text>`, `power <action>`,
/// `backup`, and `wait <seconds>` before the task that follows.
enum ScheduleTaskLines {
    static let example = "command say Restarting in 5 minutes\nwait 300\npower restart\nwait 60\nbackup"

    /// The lines as the API's `tasks`, for ``ScheduleTask/parse(_:)`` to check; a line it cannot read
    /// is refused here, naming it.
    static func parse(_ text: String) throws -> JSONValue {
        var tasks: [JSONValue] = []
        var delay = 0
        for (number, raw) in text.split(whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let word = line.prefix { $0 != " " }
            let rest = line.dropFirst(word.count).trimmingCharacters(in: .whitespaces)
            switch word.lowercased() {
            case "wait":
                guard let seconds = Int(rest), seconds >= 0 else {
                    throw PanelError.invalid("line \(number + 1): wait takes a number of seconds, such as wait 300")
                }
                delay += seconds
            case "command", "power":
                tasks.append(.object(["action": .string(word.lowercased()), "value": .string(rest), "delay": .number(Double(delay))]))
                delay = 0
            case "backup":
                tasks.append(.object(["action": .string("backup"), "delay": .number(Double(delay))]))
                delay = 0
            default:
                throw PanelError.invalid("line \(number + 1): \(word) is not a task; write command, power, backup or wait")
            }
        }
        return .array(tasks)
    }

    static func lines(_ tasks: [ScheduleTask]) -> String {
        tasks.flatMap { task -> [String] in
            let wait = task.delay > 0 ? ["wait \(task.delay)"] : []
            switch task.action {
            case .command: return wait + ["command \(task.value ?? "")"]
            case .power: return wait + ["power \(task.value ?? "")"]
            case .backup: return wait + ["backup"]
            }
        }.joined(separator: "\n")
    }
}
