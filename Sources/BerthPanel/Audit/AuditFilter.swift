import FluentKit
import Foundation

/// Which entries of the audit log to show: one kind of entry, and text each field contains, in a span of time.
package struct AuditFilter: Sendable, Equatable {
    /// Administrative changes apart from the console commands and sign-ins that would crowd them out.
    package enum Kind: String, CaseIterable, Sendable {
        case changes
        case signIns = "sign-ins"
        case console
        case all
    }

    package var kind = Kind.changes
    package var actor: String?
    package var action: String?
    package var target: String?
    /// From the start of this moment, up to (not including) `until`.
    package var from: Date?
    package var until: Date?

    package init() {}

    /// Every entry.
    package static var all: AuditFilter {
        var filter = AuditFilter()
        filter.kind = .all
        return filter
    }

    /// What every console entry's action starts with (`console command`, `console commands not recorded`).
    static let consolePrefix = "console command"
    /// What sign-in entries' actions start with: `signed in`, `signed in with two factors`, `signed out`,
    /// and refusals, `sign-in refused: …`.
    static let signInPrefixes = ["signed in", "signed out", "sign-in refused"]

    func apply(to query: QueryBuilder<AuditEvent>) -> QueryBuilder<AuditEvent> {
        switch kind {
        case .changes:
            query.filter(\.$action !=~ Self.consolePrefix)
            for prefix in Self.signInPrefixes { query.filter(\.$action !=~ prefix) }
        case .signIns:
            query.group(.or) { group in
                for prefix in Self.signInPrefixes { group.filter(\.$action =~ prefix) }
            }
        case .console:
            query.filter(\.$action =~ Self.consolePrefix)
        case .all:
            break
        }
        if let actor { query.filter(\.$actor ~~ actor) }
        if let action { query.filter(\.$action ~~ action) }
        if let target { query.filter(\.$target ~~ target) }
        if let from { query.filter(\.$at >= from) }
        if let until { query.filter(\.$at < until) }
        return query
    }
}
