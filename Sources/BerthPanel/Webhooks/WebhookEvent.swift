import Foundation

/// What a webhook can hear of.
package enum WebhookEvent: String, CaseIterable, Codable, Sendable {
    case installFinished = "install.finished"
    case installFailed = "install.failed"
    case started = "instance.started"
    case stopped = "instance.stopped"
    case crashed = "instance.crashed"
    case backupFinished = "backup.finished"
    case backupFailed = "backup.failed"
    case deployed = "instance.deployed"
    case deleted = "instance.deleted"
    case nodeOffline = "node.offline"
    case nodeOnline = "node.online"

    /// Parses a list of event names, refusing an empty list, an unknown name or a repeated one.
    static func parse(_ names: [String]) throws -> [WebhookEvent] {
        guard !names.isEmpty else { throw PanelError.invalid("events must name at least one event") }
        var events: [WebhookEvent] = []
        for name in names {
            guard let event = WebhookEvent(rawValue: name) else {
                throw PanelError.invalid("events: \(name) is not an event; one of \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard !events.contains(event) else { throw PanelError.invalid("events: \(name) is named twice") }
            events.append(event)
        }
        return events
    }

    /// Whether the event is about a node rather than one instance.
    var isAboutNode: Bool { self == .nodeOffline || self == .nodeOnline }

    /// The event in words, for chat messages: "crashed".
    var summary: String {
        switch self {
        case .installFinished: "finished installing"
        case .installFailed: "failed to install"
        case .started: "started"
        case .stopped: "stopped"
        case .crashed: "crashed"
        case .backupFinished: "was backed up"
        case .backupFailed: "could not be backed up"
        case .deployed: "was deployed"
        case .deleted: "was deleted"
        case .nodeOffline: "went offline: its node stopped answering"
        case .nodeOnline: "is online again: its node answers"
        }
    }
}

/// How a webhook's body is written: Berth's JSON, or a message Discord's webhooks post as it is.
package enum WebhookFormat: String, CaseIterable, Codable, Sendable {
    case json
    case discord
}
