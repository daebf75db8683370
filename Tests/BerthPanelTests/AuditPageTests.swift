import FluentKit
import Foundation
import Logging
import Testing

@testable import BerthPanel
@testable import BerthWeb

/// The audit log page: changes apart from console commands and sign-ins, refused sign-ins recorded, and
/// filters by who, what, which target and when, a page at a time.
@Suite struct AuditPageTests {
    /// The rows of the log's table, each as its text without markup.
    static func rows(_ page: WebClient.Page) -> [String] {
        guard let body = page.text.range(of: "<tbody>"), let end = page.text.range(of: "</tbody>") else { return [] }
        return page.text[body.upperBound..<end.lowerBound].components(separatedBy: "<tr>").dropFirst().map { row in
            row.replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
                .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
    }

    @Test func refusedSignInsAreRecordedAndEachKindOfEntryHasItsOwnView() async throws {
        try await InProcessPanel.with { panel in
            let admin = try await WebFormTests.signedInAdmin(panel)
            let stranger = panel.browser()
            #expect(try await stranger.signIn("root", "not the password").status == 401)
            #expect(try await stranger.signIn("nobody\u{7}here", "whatever it is").status == 401)
            let audit = panel.panel.audit
            let logger = Logger(label: "test")
            for index in 0..<3 {
                await audit.record("console command", target: "game: say \(index)", actor: .user("root"), clientAddress: "127.0.0.1", logger: logger)
            }
            await audit.record("created user", target: "alice", actor: .user("root"), clientAddress: "127.0.0.1", logger: logger)

            let changes = Self.rows(try await admin.get("/admin/audit"))
            #expect(changes.count == 1 && changes[0].contains("created user alice"), "\(changes)")
            let signIns = Self.rows(try await admin.get("/admin/audit?kind=sign-ins"))
            #expect(signIns.contains { $0.contains("not signed in sign-in refused: wrong password root") }, "\(signIns)")
            #expect(
                signIns.contains { $0.contains("sign-in refused: no such account nobodyhere") },
                "a control character typed is not kept: \(signIns)"
            )
            #expect(signIns.contains { $0.contains("signed in root") })
            let console = Self.rows(try await admin.get("/admin/audit?kind=console"))
            #expect(console.count == 3 && console.allSatisfy { $0.contains("console command") })
            #expect(Self.rows(try await admin.get("/admin/audit?kind=all")).count == 3 + 1 + signIns.count)
        }
    }

    @Test func filtersByWhoWhatTargetAndTimeAPageAtATime() async throws {
        try await InProcessPanel.with { panel in
            let admin = try await WebFormTests.signedInAdmin(panel)
            let audit = panel.panel.audit
            let logger = Logger(label: "test")
            for index in 0..<(AuditPage.pageSize + 20) {
                await audit.record("edited user", target: "user\(index)", actor: .user("carol"), clientAddress: "127.0.0.1", logger: logger)
            }
            await audit.record("deleted node", target: "spare", actor: .apiKey("billing"), clientAddress: "127.0.0.1", logger: logger)

            let first = try await admin.get("/admin/audit?actor=carol")
            #expect(Self.rows(first).count == AuditPage.pageSize)
            #expect(Self.rows(first)[0].contains("user\(AuditPage.pageSize + 19)"), "newest first")
            #expect(first.text.contains(#"href="/admin/audit?actor=carol&amp;kind=changes&amp;skip=\#(AuditPage.pageSize)""#))
            let second = try await admin.get("/admin/audit?actor=carol&kind=changes&skip=\(AuditPage.pageSize)")
            #expect(Self.rows(second).count == 20 && !second.text.contains("id=\"audit-older\""))

            let byKey = Self.rows(try await admin.get("/admin/audit?actor=bill"))
            #expect(byKey.count == 1 && byKey[0].contains("API key billing deleted node spare"), "\(byKey)")
            #expect(Self.rows(try await admin.get("/admin/audit?action=deleted&target=spare")).count == 1)
            #expect(Self.rows(try await admin.get("/admin/audit?target=user11")).count == 11, "user11 and user110 to user119")

            let today = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
            let tomorrow = ISO8601DateFormatter.string(
                from: Date().addingTimeInterval(86_400),
                timeZone: TimeZone(identifier: "UTC")!,
                formatOptions: [.withFullDate]
            )
            #expect(
                Self.rows(try await admin.get("/admin/audit?action=deleted&from=\(today)&until=\(today)")).count == 1,
                "until a day is through its end"
            )
            #expect(Self.rows(try await admin.get("/admin/audit?action=deleted&from=\(tomorrow)")).isEmpty)
            let wrong = try await admin.get("/admin/audit?from=yesterday")
            #expect(wrong.status == 400 && wrong.text.contains(#"aria-describedby="audit-from-error""#) && wrong.text.contains("From must be a day"))
        }
    }
}
