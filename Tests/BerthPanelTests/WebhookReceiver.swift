import BerthTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle

/// A web server of the test's own on this machine that webhooks are sent to: it keeps every request, and
/// refuses (500) the first attempt of each delivery, so every delivery must be retried to land.
actor WebhookReceiver {
    struct Received: Sendable {
        let event: String?
        let delivery: String?
        let signature: String?
        let body: String
        let status: Int
    }

    private(set) var received: [Received] = []
    private var seen: [String: Int] = [:]

    func take(_ request: HTTPRequest, body: String) -> HTTPResponse.Status {
        let delivery = request.headerFields[HTTPField.Name("X-Berth-Delivery")!]
        let count = (delivery.flatMap { seen[$0] } ?? 0) + 1
        if let delivery { seen[delivery] = count }
        let status: HTTPResponse.Status = count == 1 ? .internalServerError : .ok
        received.append(
            Received(
                event: request.headerFields[HTTPField.Name("X-Berth-Event")!],
                delivery: delivery,
                signature: request.headerFields[HTTPField.Name("X-Berth-Signature")!],
                body: body,
                status: status.code
            )
        )
        return status
    }

    /// Waits until `condition` holds of what was received, for at most `limit`.
    func wait(for what: String, limit: Duration = .seconds(60), _ condition: ([Received]) -> Bool) async throws -> [Received] {
        let deadline = ContinuousClock.now + limit
        while !condition(received) {
            guard ContinuousClock.now < deadline else {
                throw TestFailure("\(what) never arrived; received: \(received.map { ($0.event, $0.status) })")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        return received
    }

    /// Runs a receiver at `http://127.0.0.1:<port>/hook` for `body`.
    static func with<Answer: Sendable>(_ body: (WebhookReceiver, String) async throws -> Answer) async throws -> Answer {
        let receiver = WebhookReceiver()
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            return Response(status: await receiver.take(request.head, body: String(buffer: bytes)))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "test.webhook-receiver")
        logger.logLevel = .warning
        let application = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
            logger: logger
        )
        let group = ServiceGroup(services: [application], logger: logger)
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestFailure("the receiver did not start") }
        let outcome = await Result { try await body(receiver, "http://127.0.0.1:\(port)/hook") }
        await group.triggerGracefulShutdown()
        _ = await running.result
        return try outcome.get()
    }
}
