import AsyncHTTPClient
import BerthHTTP
import Crypto
import FluentKit
import Foundation
import Logging
import NIOCore
import SQLKit
import ServiceLifecycle

/// Sends queued deliveries and retries those that fail, with growing waits (10 s, 20 s, … up to an hour)
/// for at most 20 attempts or a day. A delivery is taken with one conditional `UPDATE … RETURNING` that
/// leases it for a minute, so panel processes sharing a database never send it twice at once.
///
/// Each request is signed: `X-Berth-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with
/// the webhook's secret; a receiver checks it and that `t` is recent, so a replayed request is refused.
/// The URL is checked as the file manager's fetches are (``OutboundCheck``), and the connection goes to
/// the address that was checked.
struct WebhookSender: Service {
    let database: PanelDatabase
    let box: SecretBox
    let check: OutboundCheck
    let interval: Duration
    let logger: Logger

    static let mostAttempts = 20
    static let longestTrying: Int = 86400

    /// The wait after the `attempt`th failure: 10 s, doubling, at most an hour.
    static func wait(after attempt: Int) -> Int {
        min(10 << min(max(attempt - 1, 0), 20), 3600)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await sendDue(at: Date())
                guard (try? await Task.sleep(for: interval)) != nil else { break }
            }
        }
    }

    /// Sends every delivery due at `now`, a few at once.
    func sendDue(at now: Date) async {
        let moment = Int(now.timeIntervalSince1970)
        do {
            let due = try await WebhookDelivery.query(on: database.db()).filter(\.$state == "pending").filter(\.$nextAttempt <= moment)
                .sort(\.$nextAttempt).limit(50).all()
            await withTaskGroup(of: Void.self) { group in
                for delivery in due {
                    group.addTask { await send(delivery, at: now) }
                }
            }
        } catch {
            logger.error("webhook deliveries could not be read: \(error)")
        }
    }

    private func send(_ delivery: WebhookDelivery, at now: Date) async {
        do {
            guard try await lease(delivery, at: now), let hook = try await Webhook.find(delivery.$webhook.id, on: database.db()) else { return }
            let outcome = await attempt(delivery, to: hook, at: now)
            try await record(outcome, of: delivery, at: now)
        } catch {
            logger.error("webhook delivery \(delivery.id?.uuidString ?? "?") could not be sent: \(error)")
        }
    }

    /// Takes the delivery for a minute; false when another process took it first.
    private func lease(_ delivery: WebhookDelivery, at now: Date) async throws -> Bool {
        let moment = Int(now.timeIntervalSince1970)
        let query: SQLQueryString = """
            UPDATE webhook_deliveries SET next_attempt = \(bind: moment + 60) \
            WHERE id = \(bind: try delivery.requireID()) AND state = 'pending' AND next_attempt = \(bind: delivery.nextAttempt) RETURNING id
            """
        return try await database.sql().raw(query).first() != nil
    }

    enum Outcome {
        case delivered(status: Int)
        case refused(status: Int?, error: String)
    }

    private func attempt(_ delivery: WebhookDelivery, to hook: Webhook, at now: Date) async -> Outcome {
        let destination: OutboundCheck.Destination
        do {
            destination = try await check.destination(of: hook.url)
        } catch {
            return .refused(status: nil, error: "\(URL(string: hook.url)?.withoutSecrets ?? "the URL") \(error.reason)")
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: destination.clientConfiguration(readTimeout: .seconds(10)))
        let outcome = await post(delivery, with: client, to: hook, at: now)
        try? await client.shutdown()
        return outcome
    }

    private func post(_ delivery: WebhookDelivery, with client: HTTPClient, to hook: Webhook, at now: Date) async -> Outcome {
        do {
            let secret = try box.open(hook.sealedSecret, of: Webhook.secretColumn)
            let timestamp = Int(now.timeIntervalSince1970)
            var request = HTTPClientRequest(url: hook.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "Berth-Webhooks")
            request.headers.add(name: "X-Berth-Event", value: delivery.event)
            request.headers.add(name: "X-Berth-Delivery", value: try delivery.requireID().uuidString.lowercased())
            request.headers.add(name: "X-Berth-Signature", value: Self.signature(of: delivery.body, at: timestamp, secret: secret))
            request.body = .bytes(ByteBuffer(string: delivery.body))
            let response = try await client.execute(request, timeout: .seconds(15))
            _ = try? await response.body.collect(upTo: 64 << 10)
            let status = Int(response.status.code)
            return (200..<300).contains(status) ? .delivered(status: status) : .refused(status: status, error: "the receiver answered \(status)")
        } catch {
            return .refused(status: nil, error: "\(error)")
        }
    }

    /// `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`.
    static func signature(of body: String, at timestamp: Int, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "t=\(timestamp),v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    private func record(_ outcome: Outcome, of delivery: WebhookDelivery, at now: Date) async throws {
        let moment = Int(now.timeIntervalSince1970)
        delivery.attempts += 1
        switch outcome {
        case .delivered(let status):
            delivery.state = "delivered"
            delivery.lastStatus = status
            delivery.lastError = nil
            delivery.delivered = moment
            delivery.nextAttempt = nil
        case .refused(let status, let error):
            delivery.lastStatus = status
            delivery.lastError = String(error.prefix(500))
            if delivery.attempts >= Self.mostAttempts || moment - delivery.created >= Self.longestTrying {
                delivery.state = "failed"
                delivery.nextAttempt = nil
            } else {
                delivery.nextAttempt = moment + Self.wait(after: delivery.attempts)
            }
        }
        try await delivery.save(on: database.db())
    }
}

extension WebhookSender: CustomStringConvertible {
    /// Only the name: ServiceLifecycle logs its services at debug level, and the box opens secrets.
    var description: String { "WebhookSender" }
}
