import BerthTestSupport
import FluentKit
import FluentSQLiteDriver
import Foundation
import Testing

@testable import BerthPanel
@testable import BerthWeb

/// What one user may hold open through the console relay: ten sockets, counted in the database so that
/// every panel process sharing it sees the same count; and a relay's audit queue, which counts what it
/// drops rather than growing.
@Suite("Console caps", .timeLimit(.minutes(3)))
struct ConsoleCapTests {
    @Test("a user's console slots hold across panel processes: of 25 racing claims on two panels, 10 win")
    func slotsAcrossProcesses() async throws {
        try await InProcessPanel.with { first in
            let configuration = first.panel.configuration
            let second = try await Panel.open(PanelConfiguration(dataDirectory: configuration.dataDirectory, databaseURL: configuration.databaseURL))
            let outcome = await Result {
                let user = UUID()
                let claims = try await withThrowingTaskGroup(of: ConsoleSlots.Claim?.self) { group in
                    for index in 0..<25 {
                        let slots = index % 2 == 0 ? first.panel.consoleSlots : second.consoleSlots
                        group.addTask { try await slots.claim(for: user) }
                    }
                    return try await group.reduce(into: [ConsoleSlots.Claim]()) { if let claim = $1 { $0.append(claim) } }
                }
                #expect(claims.count == Panel.consolesPerUser)
                #expect(Set(claims.map(\.slot)).count == claims.count, "no slot handed out twice")
                #expect(try await !second.consoleSlots.hasRoom(for: user))
                #expect(try await second.consoleSlots.claim(for: user) == nil)

                // Released through one process, the slot is free in the other.
                try await first.panel.consoleSlots.release(claims[0])
                let again = try #require(try await second.consoleSlots.claim(for: user))
                #expect(try await first.panel.consoleSlots.claim(for: user) == nil)

                // A slot its holder stopped keeping alive (its process died) is free again; the old holder's
                // late release does not free the new holder's slot.
                try await first.panel.database.sql()
                    .raw("UPDATE console_slots SET seen_at = 0 WHERE slot = \(bind: claims[1].slot)").run()
                let takenOver = try #require(try await first.panel.consoleSlots.claim(for: user))
                #expect(takenOver.slot == claims[1].slot)
                try await second.consoleSlots.release(claims[1])
                #expect(try await first.panel.consoleSlots.claim(for: user) == nil)
                try await second.consoleSlots.release(again)
            }
            await second.close()
            try outcome.get()
        }
    }

    @Test("the eleventh console of one user is refused; closing one frees it; an audit log that cannot keep up counts what it drops")
    func relayCapsAndAuditDrops() async throws {
        // On SQLite, whose file the test can hold locked to stop the audit log's writes.
        try await TestPanel.with(withNode: true, onSQLite: true) { panel in
            let id = try await InstanceTests.deployReadyEcho(panel, owner: try await panel.createUser("owner"))
            let browser = panel.browser()
            #expect(try await browser.signIn("owner", WebSessionTests.password).status == 303)
            let cookie = try #require(browser.sessionCookie)
            let head = panel.consoleHandshake(id, cookie: cookie)
            let open = { @Sendable () async throws -> (RawHTTP, String) in
                try await onOwnThread {
                    let socket = try RawHTTP(port: panel.port, head: head)
                    return (socket, try socket.statusLine())
                }
            }
            var sockets: [RawHTTP] = []
            for _ in 0..<Panel.consolesPerUser {
                let (socket, status) = try await open()
                #expect(status.contains(" 101 "))
                sockets.append(socket)
            }
            // Refused at the handshake when the tenth's slot is already written (hummingbird-websocket answers a
            // refused upgrade with a bare 400), else closed at once after it: never relayed to the node.
            let (eleventh, status) = try await open()
            if status.contains(" 101 ") {
                let first = try await onOwnThread { try? eleventh.nextFrame() }
                if let first {
                    #expect(first.opcode == 8, "closed, not relayed: \(String(decoding: first.payload, as: UTF8.self))")
                    #expect(String(decoding: first.payload.dropFirst(2), as: UTF8.self) == "Too many consoles open; close one first.")
                }
            }
            sockets.removeLast().shutDown()
            var reopened = false
            for _ in 0..<50 where !reopened {
                let (socket, status) = try await open()
                reopened = status.contains(" 101 ")
                if reopened { sockets.append(socket) } else { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(reopened, "a closed console's slot is free again")

            guard case .sqlite(let path) = panel.panel.configuration.databaseLocation else { throw TestFailure("not on SQLite") }
            let holder = try await SQLiteConnection.open(storage: .file(path: path))
            try await holder.query("BEGIN EXCLUSIVE")
            let flooding = sockets[0]
            let sent = 300
            let refusedByTheNode = try await onOwnThread {
                for index in 0..<sent { try flooding.sendTextFrame(#"{"event": "command", "data": "say \#(index)"}"#) }
                // The node refuses all but its budget; each refusal it relays back proves the relay read
                // that command, so its audit entry was queued (or dropped) while the log could not write.
                var refused = 0
                while refused < 200 {
                    let frame: (opcode: UInt8, payload: [UInt8])
                    do { frame = try flooding.nextFrame() } catch { throw TestFailure("the flooded console, after \(refused) refusals: \(error)") }
                    if String(decoding: frame.payload, as: UTF8.self).contains("this one was not sent") { refused += 1 }
                }
                return refused
            }
            try await holder.query("COMMIT")
            try await holder.close()
            #expect(refusedByTheNode >= 200)
            for socket in sockets { socket.shutDown() }

            // The relay writes the summary after the hundred queued entries, one by one; on a machine busy with
            // other suites that can take a while, so this waits up to a minute.
            var summary: AuditEvent?
            for _ in 0..<300 where summary == nil {
                summary = try await AuditEvent.query(on: panel.panel.database.db()).filter(\.$action == "console commands not recorded").first()
                if summary == nil { try await Task.sleep(for: .milliseconds(200)) }
            }
            let target = try #require(summary?.target, "the relay recorded how many entries it dropped")
            let count = try #require(target.range(of: #"[0-9]+(?= command\(s\))"#, options: .regularExpression), "\(target)")
            let dropped = try #require(Int(target[count]))
            // At least 200 commands were read while the log was stopped; its queue holds 100 and one is in hand.
            #expect(dropped >= 200 - ConsoleRelay.auditBacklog - 1 && dropped <= sent, "\(target)")
            let recorded = try await AuditEvent.query(on: panel.panel.database.db()).filter(\.$action == "console command").count()
            #expect(recorded <= ConsoleRelay.auditBacklog + 1, "no more were queued than the backlog holds")
            try await panel.deleteInstance(id)
        }
    }
}
