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

    @Test("a viewer that does not read loses old messages instead of growing without bound")
    func slowViewer() async throws {
        let hub = ConsoleHub(replayLines: 10, linesPerSecond: 1_000_000)
        let viewer = hub.subscribe()
        for number in 1...5000 { hub.publishOutput("line \(number)\n") }
        hub.disconnectAll()
        var count = 0
        var last: String?
        for await message in viewer.messages {
            count += 1
            last = message.data
        }
        #expect(count == 1000)
        #expect(last == "line 5000\n")
    }
}
