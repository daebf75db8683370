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
        }
    }
}

/// How a webhook's body is written: Berth's JSON, or a message Discord's webhooks post as it is.
package enum WebhookFormat: String, CaseIterable, Codable, Sendable {
    case json
    case discord
}

/// The body of a delivery in Berth's format: stable, described in the OpenAPI document.
struct WebhookPayload: Codable, Sendable, Equatable {
    /// The delivery's id, the same as `X-Berth-Delivery`: a receiver that saw it before can ignore it.
    let id: String
    let event: String
    /// ISO 8601.
    let at: String
    let instance: Instance
    let details: Details

    struct Instance: Codable, Sendable, Equatable {
        let id: String
        let name: String
        let nodeId: String
    }

    /// What the event adds: the exit code and the reason of a crash or a failed install, the backup made.
    struct Details: Codable, Sendable, Equatable {
        var exitCode: Int?
        var reason: String?
        var backupId: String?
        var backupName: String?
        var backupSize: Int64?

        init(exitCode: Int? = nil, reason: String? = nil, backupId: String? = nil, backupName: String? = nil, backupSize: Int64? = nil) {
            self.exitCode = exitCode
            self.reason = reason
            self.backupId = backupId
            self.backupName = backupName
            self.backupSize = backupSize
        }
    }

    /// The body for `format`.
    func body(as format: WebhookFormat) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        switch format {
        case .json:
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        case .discord:
            var line = "**\(instance.name)** \(WebhookEvent(rawValue: event)?.summary ?? event)"
            if let exitCode = details.exitCode { line += " (exit code \(exitCode))" }
            if let reason = details.reason { line += ": \(reason)" }
            // Discord refuses messages over 2000 characters, and reads @everyone in them as a mention.
            let message = DiscordMessage(content: String(line.prefix(1900)), allowedMentions: .init(parse: []))
            return String(decoding: try encoder.encode(message), as: UTF8.self)
        }
    }

    struct DiscordMessage: Encodable {
        let content: String
        let allowedMentions: Mentions
        let username = "Berth"

        struct Mentions: Encodable { let parse: [String] }

        enum CodingKeys: String, CodingKey {
            case content, username
            case allowedMentions = "allowed_mentions"
        }
    }
}
