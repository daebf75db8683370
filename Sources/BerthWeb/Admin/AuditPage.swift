import BerthPanel
import Foundation
import Hummingbird

/// `/admin/audit`: the audit log, newest first, a page at a time: one kind of entry (changes by default,
/// apart from console commands and sign-ins), filtered by who, what, which target and when.
struct AuditPage: Sendable {
    let pages: WebPages
    let audit: AuditLog

    static let pageSize = 100

    struct Row {
        let at: String
        let isKey: Bool
        let isVisitor: Bool
        let actor: String
        let action: String
        let target: String
        let clientAddress: String
    }

    struct Content {
        let events: [Row]
        let kinds: [Choice]
        /// The filter's fields as sent, for the form and the links to other pages.
        let actor: String
        let action: String
        let target: String
        let from: String
        let until: String
        let newer: String?
        let older: String?
        let problems: FormProblems?
        let pageSize = AuditPage.pageSize
    }

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("audit") { request, context in
            let query = request.uri.queryParameters
            let text = { (name: String) in query.get(name).map { String($0.prefix(200)) } ?? "" }
            var filter = AuditFilter()
            var checks = FieldChecks()
            filter.kind = AuditFilter.Kind(rawValue: text("kind")) ?? .changes
            filter.actor = text("actor").nonEmpty
            filter.action = text("action").nonEmpty
            filter.target = text("target").nonEmpty
            filter.from = try checks.check("from") { try Self.day(text("from"), field: "from") } ?? nil
            // Until a day means through its end.
            filter.until = try checks.check("until") { try Self.day(text("until"), field: "until") }?.map { $0.addingTimeInterval(86_400) }
            let skipped = max(0, Int(text("skip")) ?? 0)
            var problems: FormProblems?
            var events: [AuditEvent] = []
            do {
                try checks.finish()
                events = try await audit.search(filter, skipping: skipped, count: Self.pageSize + 1)
            } catch let error as PanelError {
                problems = FormProblems(
                    error,
                    fields: [
                        FormProblems.Field("from", id: "audit-from", label: "From"), FormProblems.Field("until", id: "audit-until", label: "Until"),
                    ]
                )
            }
            let link = { (skip: Int) in
                var items = ["kind": filter.kind.rawValue, "actor": text("actor"), "action": text("action"), "target": text("target")]
                items["from"] = text("from")
                items["until"] = text("until")
                items["skip"] = String(skip)
                var components = URLComponents()
                components.path = "/admin/audit"
                components.queryItems = items.sorted { $0.key < $1.key }.filter { !$0.value.isEmpty }.map {
                    URLQueryItem(name: $0.key, value: $0.value)
                }
                return components.string ?? "/admin/audit"
            }
            let content = Content(
                events: events.prefix(Self.pageSize).map(Self.row),
                kinds: [
                    Choice(value: "changes", label: "Changes", selected: filter.kind == .changes),
                    Choice(value: "sign-ins", label: "Sign-ins", selected: filter.kind == .signIns),
                    Choice(value: "console", label: "Console commands", selected: filter.kind == .console),
                    Choice(value: "all", label: "Everything", selected: filter.kind == .all),
                ],
                actor: text("actor"),
                action: text("action"),
                target: text("target"),
                from: text("from"),
                until: text("until"),
                newer: skipped > 0 ? link(max(0, skipped - Self.pageSize)) : nil,
                older: events.count > Self.pageSize ? link(skipped + Self.pageSize) : nil,
                problems: problems
            )
            return pages.render("admin-audit", title: "Audit log", content: content, context: context, status: problems == nil ? .ok : .badRequest)
        }
    }

    static func row(_ event: AuditEvent) -> Row {
        Row(
            at: ISO8601DateFormatter().string(from: event.at),
            isKey: event.actorKind == AuditEvent.apiKeyKind,
            isVisitor: event.actorKind == AuditEvent.visitorKind,
            actor: event.actor,
            action: event.action,
            target: event.target,
            clientAddress: event.clientAddress
        )
    }

    /// A day as a date field sends it (`2026-12-01`), as its first moment in UTC; blank is none.
    static func day(_ text: String, field: String) throws -> Date? {
        guard !text.isEmpty else { return nil }
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "UTC")
        format.dateFormat = "yyyy-MM-dd"
        guard let date = format.date(from: text) else { throw PanelError.invalid("\(field) must be a day, like 2026-12-01") }
        return date
    }
}

extension String {
    /// The text, or nil when it is empty.
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
