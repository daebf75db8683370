import FluentKit
import Foundation
import Logging
import SQLKit

/// Where events are posted for the webhooks that want them: each becomes a delivery row, which the
/// ``WebhookSender`` sends and retries. Posting never fails what caused the event: a database that
/// refuses is logged, and the event is lost for webhooks only.
struct WebhookOutbox: Sendable {
    let database: PanelDatabase
    let logger: Logger

    /// Deliveries waiting for one webhook at most; past it the oldest are dropped, and counted.
    static let queueLimit = 1000

    func post(_ event: WebhookEvent, about instance: Instance, details: WebhookPayload.Details = .init()) async {
        do {
            let instanceID = try instance.requireID()
            let hooks = try await Webhook.query(on: database.db())
                .group(.or) { $0.filter(\.$instanceID == nil).filter(\.$instanceID == instanceID) }
                .all()
            let about = WebhookPayload.Instance(instance)
            try await queue(event, for: hooks, details: details) { _ in (about, nil) }
        } catch {
            logger.error("webhooks of \(event.rawValue) could not be queued: \(error)")
        }
    }

    /// Posts a node's event to admins' webhooks, and to each webhook of an instance on the node (with that
    /// instance named): its owner hears that their server's node went away.
    func post(_ event: WebhookEvent, aboutNode node: Node) async {
        do {
            let nodeID = try node.requireID()
            let instances = try await Instance.query(on: database.db()).filter(\.$node.$id == nodeID).all()
            let onNode = Dictionary(uniqueKeysWithValues: try instances.map { (try $0.requireID(), $0) })
            let hooks = try await Webhook.query(on: database.db())
                .group(.or) { $0.filter(\.$instanceID == nil).filter(\.$instanceID ~~ Array(onNode.keys)) }
                .all()
            let about = WebhookPayload.Node(id: nodeID.uuidString.lowercased(), name: node.name)
            try await queue(event, for: hooks, details: .init()) { hook in
                (hook.instanceID.flatMap { onNode[$0] }.map(WebhookPayload.Instance.init), about)
            }
        } catch {
            logger.error("webhooks of \(event.rawValue) could not be queued: \(error)")
        }
    }

    /// Makes a delivery of `event` for each of `hooks` that wants it, about what `subject` says for that hook.
    private func queue(
        _ event: WebhookEvent,
        for hooks: [Webhook],
        details: WebhookPayload.Details,
        subject: (Webhook) -> (WebhookPayload.Instance?, WebhookPayload.Node?)
    ) async throws {
        let now = Date()
        for hook in hooks where hook.events.split(separator: ",").contains(Substring(event.rawValue)) {
            let delivery = WebhookDelivery()
            delivery.id = UUID()
            delivery.$webhook.id = try hook.requireID()
            delivery.event = event.rawValue
            let (instance, node) = subject(hook)
            let payload = WebhookPayload(
                id: try delivery.requireID().uuidString.lowercased(),
                event: event.rawValue,
                at: now.formatted(.iso8601),
                instance: instance,
                node: node,
                details: details
            )
            delivery.body = try payload.body(as: WebhookFormat(rawValue: hook.format) ?? .json)
            delivery.state = "pending"
            delivery.attempts = 0
            delivery.nextAttempt = Int(now.timeIntervalSince1970)
            delivery.created = Int(now.timeIntervalSince1970)
            try await delivery.create(on: database.db())
            try await trimQueue(of: hook)
        }
    }

    /// Drops the oldest waiting deliveries past ``queueLimit``: a receiver that is down for days costs a
    /// bounded queue, and the count says how many it missed. Each drop is a conditional update, and the
    /// count grows in the database, so posts at once (or a delivery sent meanwhile) count each drop once.
    private func trimQueue(of hook: Webhook) async throws {
        let hookID = try hook.requireID()
        let waiting = try await WebhookDelivery.query(on: database.db()).filter(\.$webhook.$id == hookID).filter(\.$state == "pending").count()
        guard waiting > Self.queueLimit else { return }
        let oldest = try await WebhookDelivery.query(on: database.db()).filter(\.$webhook.$id == hookID).filter(\.$state == "pending")
            .sort(\.$created).sort(\.$id).limit(waiting - Self.queueLimit).all()
        let sql = database.sql()
        var dropped = 0
        for delivery in oldest {
            let changed = try await sql.raw(
                """
                UPDATE webhook_deliveries SET state = 'dropped', next_attempt = NULL \
                WHERE id = \(bind: try delivery.requireID()) AND state = 'pending' RETURNING id
                """
            ).all()
            dropped += changed.count
        }
        guard dropped > 0 else { return }
        try await sql.raw("UPDATE webhooks SET dropped = dropped + \(bind: dropped) WHERE id = \(bind: hookID)").run()
    }
}
