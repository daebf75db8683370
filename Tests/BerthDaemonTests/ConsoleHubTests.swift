import BerthProtocol
import BerthTestSupport
import NIOCore
import Testing

@testable import BerthDaemon

@Suite("The console hub")
struct ConsoleHubTests {
    @Test("a viewer who joins late gets the last lines, bounded, then live output")
    func replay() async throws {
        let hub = ConsoleHub(replayLines: 3)
        hub.publishOutput("one\ntwo\nthree\nfour\nfi")
        hub.publishOutput("ve\n")
        #expect(hub.recentOutput == "three\nfour\nfive\n")
        let (viewer, messages) = hub.subscribe()
        hub.publishOutput("six\n")
        hub.unsubscribe(viewer)
        var received: [ConsoleMessage] = []
        for await message in messages { received.append(message) }
        #expect(
            received == [
                ConsoleMessage(event: .output, data: "three\nfour\nfive\n"),
                ConsoleMessage(event: .output, data: "six\n"),
            ]
        )
    }

    @Test("the replay and a slow viewer's backlog are bounded in bytes; the viewer hears why and recovers")
    func boundedInBytes() async throws {
        let hub = ConsoleHub(replayLines: 1000, replayBytes: 500, viewerBacklogBytes: 1000)
        let line = String(repeating: "x", count: 49) + "\n"
        for _ in 0..<100 { hub.publishOutput(line) }
        #expect(hub.recentOutput.utf8.count <= 500 && hub.recentOutput.hasSuffix(line), "the newest lines, at most 500 bytes")

        let (viewer, messages) = hub.subscribe()  // it starts with the 500-byte replay waiting
        for _ in 0..<100 { hub.publishOutput(line) }  // and never reads while 5,000 more bytes arrive
        hub.unsubscribe(viewer)
        var waiting: [ConsoleMessage] = []
        for await message in messages { waiting.append(message) }
        let bytes = waiting.filter { $0.event == .output }.reduce(0) { $0 + ($1.data?.utf8.count ?? 0) }
        #expect(bytes <= 1000 && bytes >= 900, "the backlog limit, and no more, was held for the viewer: \(bytes)")
        #expect(waiting.contains { $0.event == .notice && $0.data?.contains("too slow") == true })

        // A viewer that reads (and so reports what it passed on) gets everything.
        let (reader, stream) = hub.subscribe()
        var iterator = stream.makeAsyncIterator()
        if let replay = await iterator.next() { hub.delivered(replay, to: reader) }
        var received = 0
        for _ in 0..<100 {
            hub.publishOutput(line)
            if let message = await iterator.next() {
                received += message.data?.utf8.count ?? 0
                hub.delivered(message, to: reader)
            }
        }
        #expect(received == 100 * line.utf8.count)
        hub.unsubscribe(reader)
    }

    @Test("every viewer gets every message, in order")
    func fanOut() async throws {
        let hub = ConsoleHub()
        let first = hub.subscribe()
        let second = hub.subscribe()
        for number in 1...50 { hub.publishOutput("line \(number)\n") }
        hub.publish(ConsoleMessage(event: .status, data: "running"))
        hub.disconnectAll()
        #expect(hub.viewerCount == 0)
        for viewer in [first, second] {
            var received: [ConsoleMessage] = []
            for await message in viewer.messages { received.append(message) }
            #expect(received.count == 51)
            #expect(received.first?.data == "line 1\n")
            #expect(received.dropLast().last?.data == "line 50\n")
            #expect(received.last == ConsoleMessage(event: .status, data: "running"))
        }
    }

    @Test("output past the ceiling is dropped with one notice, and kept for replay")
    func throttling() async throws {
        let hub = ConsoleHub(replayLines: 1000, linesPerSecond: 10)
        let viewer = hub.subscribe()
        for number in 1...30 { hub.publishOutput("line \(number)\n") }
        hub.disconnectAll()
        var received: [ConsoleMessage] = []
        for await message in viewer.messages { received.append(message) }
        #expect(received.filter { $0.event == .output }.count == 10)
        #expect(received.filter { $0.event == .notice }.count == 1)
        #expect(hub.recentOutput.hasSuffix("line 30\n"))
    }

    @Test("a viewer that does not read stops getting messages instead of growing without bound")
    func slowViewer() async throws {
        let hub = ConsoleHub(replayLines: 10, linesPerSecond: 1_000_000, viewerBacklogBytes: 10_000)
        let viewer = hub.subscribe()
        for number in 1...5000 { hub.publishOutput("line \(number)\n") }
        hub.disconnectAll()
        var bytes = 0
        var last: ConsoleMessage?
        for await message in viewer.messages {
            if message.event == .output { bytes += message.data?.utf8.count ?? 0 }
            last = message
        }
        #expect(bytes <= 10_000, "\(bytes) bytes held for a viewer allowed 10,000")
        #expect(last?.event == .notice, "the viewer is told why output is missing")
    }
}
