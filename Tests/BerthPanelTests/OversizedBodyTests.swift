import BerthTestSupport
import Testing

/// A body over the limit is refused with a 413 and the connection ends: the server does not read the
/// rest of what it refused, and a client waiting for the end of the answer does not wait for ever.
@Suite("Oversized bodies")
struct OversizedBodyTests {
    /// A client that announces 100 MiB, sends 2 MiB and then waits.
    private static func refusedAnnouncingMore(port: Int, head: String) async throws -> String {
        try await onOwnThread {
            let connection = try RawHTTP(port: port, head: head + "\r\nContent-Length: \(100 << 20)")
            try connection.send([UInt8](repeating: UInt8(ascii: "a"), count: 2 << 20))
            return try connection.readUntilClosed()
        }
    }

    @Test("the API answers 413, says Connection: close and closes, whether or not the body was all sent")
    func apiClosesAfterRefusal() async throws {
        try await TestPanel.with { panel in
            let head = "POST /api/auth/create-user HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: \(panel.apiKey)\r\nContent-Type: application/json"
            // Before the fix the server read on, waiting for the 98 MiB still announced, and this timed out.
            let announced = try await Self.refusedAnnouncingMore(port: panel.port, head: head)
            #expect(announced.hasPrefix("HTTP/1.1 413"))
            #expect(announced.lowercased().contains("\r\nconnection: close\r\n"))
            #expect(announced.contains(#"{"error":"the body is larger than"#))

            // A whole body that is too large, followed by a second request on the same connection: the
            // second is never answered.
            let body = "{\"username\": \"\(String(repeating: "e", count: 300_000))\"}"
            let next = "GET /api/users HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: \(panel.apiKey)\r\n\r\n"
            let answers = try await onOwnThread {
                let whole = try RawHTTP(port: panel.port, head: head + "\r\nContent-Length: \(body.utf8.count)")
                try whole.send(Array((body + next).utf8))
                return try whole.readUntilClosed()
            }
            #expect(answers.hasPrefix("HTTP/1.1 413"))
            #expect(answers.components(separatedBy: "HTTP/1.1 ").count == 2, "one answer, then the end: \(answers.prefix(300))")
            #expect(try await panel.request(.GET, "/api/users").array.isEmpty)
        }
    }

    @Test("a web form over the limit gets its page and the connection closes")
    func webFormClosesAfterRefusal() async throws {
        try await TestPanel.with { panel in
            let head = "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded"
            let answer = try await Self.refusedAnnouncingMore(port: panel.port, head: head)
            #expect(answer.hasPrefix("HTTP/1.1 413"))
            #expect(answer.contains("The form is larger than"))
        }
    }
}
