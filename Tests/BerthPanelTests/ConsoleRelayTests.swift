import BerthTestSupport
import Foundation
import Testing

@testable import BerthPanel

/// The browser's console socket through the panel, on a real node: it lives only as long as the session
/// that opened it.
@Suite("Console relay", .timeLimit(.minutes(3)))
struct ConsoleRelayTests {
    @Test("an open console closes when its browser signs out, and says why")
    func signingOutClosesTheConsole() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let id = try await InstanceTests.deployReadyEcho(panel, owner: try await panel.createUser("owner"))

            let browser = panel.browser()
            #expect(try await browser.signIn("owner", WebSessionTests.password).status == 303)
            let cookie = try #require(browser.sessionCookie)
            let (socket, status, firstFrame) = try await onOwnThread {
                let socket = try RawHTTP(port: panel.port, head: panel.consoleHandshake(id, cookie: cookie))
                return (socket, try socket.statusLine(), try socket.nextFrame().opcode)
            }
            #expect(status.contains(" 101 "))
            #expect(firstFrame == 1, "the node's first message is relayed")

            try await browser.get("/")
            #expect(try await browser.post("/logout").location == "/login")
            let reason = try await onOwnThread {
                while true {
                    let frame = try socket.nextFrame()
                    if frame.opcode == 8 { return String(decoding: frame.payload.dropFirst(2), as: UTF8.self) }
                }
            }
            #expect(reason == "Your session ended.")
            try await panel.deleteInstance(id)
        }
    }
}
