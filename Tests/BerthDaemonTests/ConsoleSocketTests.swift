import BerthProtocol
import BerthTestSupport
import Foundation
import NIOCore
import Synchronization
import Testing

@testable import BerthDaemon

@Suite("The console socket", .timeLimit(.minutes(2)))
struct ConsoleSocketTests {
    @Test("a socket that floods commands is told to slow down and its excess is not sent; sockets per instance are capped")
    func floods() async throws {
        try await TestDaemon.with(consoleSocketsPerInstance: 2) { daemon in
            let specification = TestDaemon.echoSpecification()
            let id = specification.id
            try await daemon.deployRunning(specification)
            let sent = 100
            let flood = (0..<sent).map { ConsoleRequest(event: .command, data: "line \($0)") }
            let messages = try await daemon.withConsole(id, send: flood) { messages in
                messages.filter { $0.event == .error }.count + messages.output.components(separatedBy: "echo:line").count - 1 >= sent
            }
            let refused = messages.filter { $0.event == .error && $0.data?.hasPrefix("too many messages") == true }.count
            let echoed = messages.output.components(separatedBy: "echo:line").count - 1
            #expect(refused > 0, "a burst of \(sent) is more than the budget of 40")
            #expect(echoed + refused == sent, "each message was either sent or refused with a notice: \(echoed) + \(refused)")
            #expect(echoed < sent)

            // Two sockets may be open on this instance; a third is refused before it opens.
            let token = try await daemon.consoleToken(for: id)
            let head = RawHTTP.webSocketHandshake("/api/instances/\(id)/console", port: daemon.port, headers: ["Authorization: Bearer \(token)"])
            let port = daemon.port
            let (third, afterOneClosed) = try await onOwnThread {
                var open = try (0..<2).map { _ in try RawHTTP(port: port, head: head) }
                for socket in open {
                    guard try socket.statusLine().contains(" 101 ") else { throw TestFailure("a console did not open") }
                    _ = try socket.nextFrame()  // its first status message: the viewer is counted now
                }
                let third = try RawHTTP.statusLine(port: port, head: head)
                open.removeFirst()  // closes that socket; the daemon counts it out when it notices
                var retried = ""
                for _ in 0..<50 {
                    retried = try RawHTTP.statusLine(port: port, head: head)
                    if retried.contains(" 101 ") { break }
                    Thread.sleep(forTimeInterval: 0.1)
                }
                return (third, retried)
            }
            #expect(!third.contains(" 101 "), "a third console on the instance is refused: \(third)")
            #expect(afterOneClosed.contains(" 101 "), "once one closed, another opens: \(afterOneClosed)")
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
    }

    @Test("power actions and stats travel on the console socket; refused actions come back as errors")
    func powerAndStats() async throws {
        try await TestDaemon.with { daemon in
            let specification = TestDaemon.echoSpecification()
            let id = specification.id
            _ = try await daemon.deploy(specification)
            try await daemon.waitFor(id, "READY") { $0.installState == .ready }
            let messages = try await daemon.withConsole(id, send: [ConsoleRequest(event: .power, data: "start")]) { messages in
                messages.contains { $0.event == .stats } && messages.contains { $0 == ConsoleMessage(event: .status, data: "running") }
            }
            #expect(messages.first == ConsoleMessage(event: .status, data: "offline"))
            #expect(messages.contains(ConsoleMessage(event: .status, data: "starting")))
            let stats = try #require(messages.first { $0.event == .stats }?.stats)
            #expect(stats.memoryLimitBytes == 64 << 20)
            #expect(stats.memoryBytes > 0)

            let refused = try await daemon.withConsole(
                id,
                send: [
                    ConsoleRequest(event: .power, data: "start"),
                    ConsoleRequest(event: .power, data: "explode"),
                    ConsoleRequest(event: .command, data: "two\nlines"),
                ]
            ) { $0.filter { $0.event == .error }.count == 3 }
            #expect(
                refused.filter { $0.event == .error }.compactMap(\.data) == [
                    "the instance is already running",
                    "power actions are start, stop, restart, kill",
                    "a command is one line",
                ]
            )
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
    }

    @Test("deleting an instance closes its console sockets")
    func deleteClosesSockets() async throws {
        try await TestDaemon.with { daemon in
            let specification = TestDaemon.echoSpecification()
            let id = specification.id
            _ = try await daemon.deploy(specification)
            try await daemon.waitFor(id, "READY") { $0.installState == .ready }
            // Delete only once the socket is open and has said the status: a busy machine may take
            // longer than any fixed pause to connect, and a socket opened after the delete is refused.
            let (opened, signalOpened) = AsyncStream<Void>.makeStream()
            async let viewing = daemon.withConsole(id) { messages in
                if !messages.isEmpty { signalOpened.finish() }
                return false
            }
            for await _ in opened {}
            #expect(try await daemon.request(.DELETE, "/api/instances/\(id)").status == 204)
            // The socket ends by itself; `until` never says stop.
            let messages = try await viewing
            #expect(messages.first?.event == .status)
        }
    }

    @Test("suspending an instance tells its viewers and closes their sockets")
    func suspensionClosesSockets() async throws {
        try await TestDaemon.with { daemon in
            let specification = TestDaemon.echoSpecification()
            try await daemon.deployRunning(specification)
            let (opened, signalOpened) = AsyncStream<Void>.makeStream()
            async let viewing = daemon.withConsole(specification.id) { messages in
                if !messages.isEmpty { signalOpened.finish() }
                return false
            }
            for await _ in opened {}
            let suspended = try await daemon.request(
                .POST,
                "/api/instances/\(specification.id)/suspension",
                body: SuspensionRequest(suspended: true)
            )
            #expect(suspended.status == 200)
            // The socket ends by itself; `until` never says stop.
            let messages = try await viewing
            #expect(messages.contains { $0.event == .notice && $0.data == "the instance was suspended" }, "\(messages)")
        }
    }

    @Test("a binary frame is ignored, one that is no request is answered with the form of one, and one over 16 KiB closes the socket")
    func hostileFrames() async throws {
        try await TestDaemon.with { daemon in
            let specification = TestDaemon.echoSpecification()
            try await daemon.deployRunning(specification)
            let received = Collected()
            let closedByServer = Mutex(false)
            try await daemon.connectConsole(specification.id) { inbound, outbound in
                var iterator = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                func next() async throws -> [ConsoleMessage]? {
                    guard let message = try await iterator.next() else { return nil }
                    guard case .text(let text) = message else { return received.messages }
                    return received.append(try JSONDecoder().decode(ConsoleMessage.self, from: Data(text.utf8)))
                }
                _ = try await next()
                try await outbound.write(.binary(ByteBuffer(string: #"{"event": "command", "data": "from a binary frame"}"#)))
                try await outbound.writeTextMessage("not a request")
                try await outbound.writeTextMessage(#"{"event": "command", "data": "after"}"#)
                while let all = try await next(), !all.output.contains("echo:after") {}
                try await outbound.writeTextMessage(#"{"event": "command", "data": "\#(String(repeating: "x", count: 20_000))"}"#)
                while try await next() != nil {}
                closedByServer.withLock { $0 = true }
            }
            let messages = received.messages
            #expect(messages.contains { $0.event == .error && $0.data?.hasPrefix("send {") == true }, "the text that is no request is answered")
            #expect(messages.output.contains("echo:after"), "the socket worked on after both")
            #expect(!messages.output.contains("from a binary frame"), "the binary frame was never sent to the server")
            #expect(!messages.output.contains("xxxxxxxxxx"), "the oversized command was never sent to the server")
            #expect(closedByServer.withLock { $0 }, "the oversized frame closed the socket")
            #expect(try await daemon.status(of: specification.id).powerState == .running)
        }
    }
}
