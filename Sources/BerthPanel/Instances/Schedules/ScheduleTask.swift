import BerthProtocol
import Foundation

/// One step of a schedule: a console command, a power action or a backup, after a delay.
package struct ScheduleTask: Codable, Sendable, Equatable {
    package enum Action: String, Codable, Sendable, CaseIterable {
        case command
        case power
        case backup
    }

    package var action: Action
    /// The command's text, or the power action's name; none for a backup.
    package var value: String?
    /// Seconds to wait before this task, after the one before it.
    package var delay: Int

    package init(action: Action, value: String? = nil, delay: Int = 0) {
        self.action = action
        self.value = value
        self.delay = delay
    }

    /// At most this many tasks, each after at most an hour: a schedule's run ends within a day.
    static let mostTasks = 20
    static let longestDelay = 3600

    /// The permission running this task takes: whoever sets up a schedule must hold it.
    var permission: InstancePermission {
        switch action {
        case .command: .consoleWrite
        case .power: PowerAction(rawValue: value ?? "").map(InstancePermission.power) ?? .powerRestart
        case .backup: .backups
        }
    }

    /// Reads `tasks` from a body: a list of objects, each checked, with a message that names the task.
    static func parse(_ value: JSONValue?) throws -> [ScheduleTask] {
        guard case .array(let items) = value else { throw PanelError.invalid("tasks must be a list of tasks") }
        guard !items.isEmpty else { throw PanelError.invalid("tasks must name at least one task") }
        guard items.count <= mostTasks else { throw PanelError.invalid("tasks: at most \(mostTasks) tasks") }
        return try items.enumerated().map { index, item in
            let label = "tasks[\(index)]"
            guard case .object(let fields) = item else { throw PanelError.invalid("\(label) must be an object") }
            let task = RequestFields(values: fields)
            if let unknown = task.firstUnknown(among: ["action", "value", "delay"]) {
                throw PanelError.invalid("\(label): \(unknown) is not a field of a task; it takes action, value, delay")
            }
            guard let action = Action(rawValue: try task.exactString("action")) else {
                throw PanelError.invalid("\(label): action must be one of command, power, backup")
            }
            var delay = 0
            if let given = task.value("delay") {
                guard case .number(let number) = given, let seconds = Int(exactly: number), (0...longestDelay).contains(seconds) else {
                    throw PanelError.invalid("\(label): delay must be a whole number of seconds from 0 to \(longestDelay)")
                }
                delay = seconds
            }
            switch action {
            case .command:
                guard case .string(let text) = task.value("value"), !text.isEmpty else {
                    throw PanelError.invalid("\(label): a command task needs its command as value")
                }
                guard text.count <= 1000, !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                    throw PanelError.invalid("\(label): the command must be one line of at most 1000 characters")
                }
                return ScheduleTask(action: action, value: text, delay: delay)
            case .power:
                guard case .string(let text) = task.value("value"), PowerAction(rawValue: text) != nil else {
                    throw PanelError.invalid("\(label): a power task's value is one of start, stop, restart, kill")
                }
                return ScheduleTask(action: action, value: text, delay: delay)
            case .backup:
                guard task.value("value") == nil else { throw PanelError.invalid("\(label): a backup task takes no value") }
                return ScheduleTask(action: action, delay: delay)
            }
        }
    }
}

/// How one task of a run went.
package struct ScheduleTaskOutcome: Codable, Sendable, Equatable {
    package enum Status: String, Codable, Sendable {
        case done
        case failed
        /// The instance was not running and the schedule runs only when it is.
        case skipped
        /// A task before it failed.
        case notRun
    }

    package var action: ScheduleTask.Action
    package var status: Status
    package var message: String?
}
