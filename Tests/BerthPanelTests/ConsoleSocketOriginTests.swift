import BerthTestSupport
import Foundation
import Testing

@testable import BerthPanel

/// Browsers send cookies with cross-site WebSocket handshakes and no CSRF token, so the console socket
/// checks the Origin. Tested on the real route of a live panel with a real node: the signed-in browser's
/// own cookie opens the console from Berth's pages and from nowhere else.
@Suite("The console socket's Origin rule", .timeLimit(.minutes(3)))
struct ConsoleSocketOriginTests {
    @Test("a handshake from another site is refused; the same cookie from Berth's own page opens the console")
    func originRule() async throws {
        try await TestPanel.with(withNode: true) { panel in
            _ = try await panel.panel.createUser(
                username: "root",
                email: "root@example.com",
                password: WebSessionTests.password,
                admin: true
            )
            let id = try await InstanceTests.deployReadyEcho(panel, owner: try await panel.createUser("owner"))

            let browser = panel.browser()
            #expect(try await browser.signIn("root", WebSessionTests.password).status == 303)
            let cookie = "berth_session=\(try #require(browser.sessionCookie))"

            func handshake(origin: String) async throws -> String {
                try await onOwnThread {
                    try RawHTTP.statusLine(
                        port: panel.port,
                        head: RawHTTP.webSocketHandshake(
                            "/instances/\(id)/socket",
                            port: panel.port,
                            headers: ["Origin: \(origin)", "Cookie: \(cookie)"]
                        )
                    )
                }
            }
            let foreign = try await handshake(origin: "http://evil.example")
            #expect(!foreign.contains(" 101 "), "another site's page cannot open the console with the user's cookie: \(foreign)")
            let lookalike = try await handshake(origin: "http://127.0.0.1:\(panel.port).evil.example")
            #expect(!lookalike.contains(" 101 "), "\(lookalike)")
            let own = try await handshake(origin: "http://127.0.0.1:\(panel.port)")
            #expect(own.contains(" 101 "), "Berth's own page opens the console: \(own)")

            try await panel.deleteInstance(id)
        }
    }
}
