import BerthProtocol

/// One thing someone may do with an instance: the fixed list an owner grants subusers from. The owner and
/// the panel's administrators hold them all.
package enum InstancePermission: String, CaseIterable, Codable, Sendable, Comparable {
    case consoleRead = "console.read"
    case consoleWrite = "console.write"
    case powerStart = "power.start"
    case powerStop = "power.stop"
    case powerRestart = "power.restart"
    case powerKill = "power.kill"
    case filesRead = "files.read"
    case filesWrite = "files.write"
    case backups
    case schedules
    case settings
    case subusers

    /// What the permission allows, in words that finish "may …".
    package var summary: String {
        switch self {
        case .consoleRead: "read the console"
        case .consoleWrite: "send console commands"
        case .powerStart: "start the instance"
        case .powerStop: "stop the instance"
        case .powerRestart: "restart the instance"
        case .powerKill: "kill the instance"
        case .filesRead: "read files"
        case .filesWrite: "change files"
        case .backups: "manage backups"
        case .schedules: "manage schedules"
        case .settings: "change the settings"
        case .subusers: "manage subusers"
        }
    }

    /// The permission a power action needs.
    package static func power(_ action: PowerAction) -> InstancePermission {
        switch action {
        case .start: .powerStart
        case .stop: .powerStop
        case .restart: .powerRestart
        case .kill: .powerKill
        }
    }

    package static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }

    /// Parses a list of permission names, refusing an empty list, an unknown name or a repeated one with
    /// a message that names it.
    package static func parse(_ names: [String]) throws -> Set<InstancePermission> {
        guard !names.isEmpty else { throw PanelError.invalid("permissions must name at least one permission") }
        var permissions = Set<InstancePermission>()
        for name in names {
            guard let permission = InstancePermission(rawValue: name) else {
                throw PanelError.invalid("permissions: \(name) is not a permission; one of \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard permissions.insert(permission).inserted else { throw PanelError.invalid("permissions: \(name) is named twice") }
        }
        return permissions
    }

    /// The stored form: names in the list's order, comma-separated.
    package static func stored(_ permissions: Set<InstancePermission>) -> String {
        permissions.sorted().map(\.rawValue).joined(separator: ",")
    }

    /// Reads the stored form; names a newer panel wrote and this one does not know are left out.
    package static func fromStored(_ text: String) -> Set<InstancePermission> {
        Set(text.split(separator: ",").compactMap { InstancePermission(rawValue: String($0)) })
    }
}
