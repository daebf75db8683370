import Foundation

/// The body of a delivery in Berth's format: stable, described in the OpenAPI document.
struct WebhookPayload: Codable, Sendable, Equatable {
    /// The delivery's id, the same as `X-Berth-Delivery`: a receiver that saw it before can ignore it.
    let id: String
    let event: String
    /// ISO 8601.
    let at: String
    /// The instance the event is about; for a node's event, the instance of the webhook that hears it
    /// (none for an admin's webhook).
    var instance: Instance?
    /// The node, for a node's event.
    var node: Node?
    let details: Details

    struct Instance: Codable, Sendable, Equatable {
        let id: String
        let name: String
        let nodeId: String
    }

    struct Node: Codable, Sendable, Equatable {
        let id: String
        let name: String
    }

    /// What the event adds: the exit code and the reason of a crash or a failed install, the backup made.
    struct Details: Codable, Sendable, Equatable {
        var exitCode: Int?
        var reason: String?
        var backupId: String?
        var backupName: String?
        var backupSize: Int64?
        /// A crash's last lines of output, oldest first.
        var lastLines: [String]?

        init(
            exitCode: Int? = nil,
            reason: String? = nil,
            backupId: String? = nil,
            backupName: String? = nil,
            backupSize: Int64? = nil,
            lastLines: [String]? = nil
        ) {
            self.exitCode = exitCode
            self.reason = reason
            self.backupId = backupId
            self.backupName = backupName
            self.backupSize = backupSize
            self.lastLines = lastLines
        }
    }

    /// A tenant's output as a webhook carries it: without terminal escapes and control characters (tabs
    /// kept), which a chat or a log viewer would otherwise act on.
    static func readable(_ lines: [String]) -> [String] {
        lines.map { line in
            let unescaped = line.replacing(/\u{1B}\[[0-9;?]*[ -\/]*[@-~]|\u{1B}\][^\u{07}\u{1B}]*(\u{07}|\u{1B}\\)?|\u{1B}./, with: "")
            return String(unescaped.unicodeScalars.filter { $0 == "\t" || $0.properties.generalCategory != .control })
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
            let subject = node.map { "Node **\($0.name)**" } ?? "**\(instance?.name ?? "")**"
            var line = "\(subject) \(WebhookEvent(rawValue: event)?.summary ?? event)"
            if let exitCode = details.exitCode { line += " (exit code \(exitCode))" }
            if let reason = details.reason { line += ": \(reason)" }
            if let lines = details.lastLines, !lines.isEmpty {
                // A fence in the server's output would end the block early; it cannot, with its backticks changed.
                let output = lines.joined(separator: "\n").replacingOccurrences(of: "```", with: "ˋˋˋ")
                line += "\n```\n" + String(output.suffix(1700)) + "\n```"
            }
            // Discord refuses messages over 2000 characters, and reads @everyone in them as a mention.
            let message = DiscordMessage(content: String(line.prefix(1990)), allowedMentions: .init(parse: []))
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

extension WebhookPayload.Instance {
    init(_ instance: BerthPanel.Instance) {
        self.init(id: instance.id?.uuidString.lowercased() ?? "", name: instance.name, nodeId: instance.$node.id.uuidString.lowercased())
    }
}
