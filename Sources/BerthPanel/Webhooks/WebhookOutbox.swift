import FluentKit
import Foundation
import Logging

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
                .filter { $0.events.split(separator: ",").contains(Substring(event.rawValue)) }
            let now = Date()
            for hook in hooks {
                let delivery = WebhookDelivery()
                delivery.id = UUID()
                delivery.$webhook.id = try hook.requireID()
                delivery.event = event.rawValue
                let payload = WebhookPayload(
                    id: try delivery.requireID().uuidString.lowercased(),
                    event: event.rawValue,
                    at: now.formatted(.iso8601),
                    instance: .init(id: instanceID.uuidString.lowercased(), name: instance.name, nodeId: instance.$node.id.uuidString.lowercased()),
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
        } catch {
            logger.error("webhooks of \(event.rawValue) could not be queued: \(error)")
        }
    }

    /// Drops the oldest waiting deliveries past ``queueLimit``: a receiver that is down for days costs a
    /// bounded queue, and the count says how many it missed.
    private func trimQueue(of hook: Webhook) async throws {
        let hookID = try hook.requireID()
        let waiting = try await WebhookDelivery.query(on: database.db()).filter(\.$webhook.$id == hookID).filter(\.$state == "pending").count()
        guard waiting > Self.queueLimit else { return }
        let oldest = try await WebhookDelivery.query(on: database.db()).filter(\.$webhook.$id == hookID).filter(\.$state == "pending")
            .sort(\.$created).sort(\.$id).limit(waiting - Self.queueLimit).all()
        for delivery in oldest {
            delivery.state = "dropped"
            delivery.nextAttempt = nil
            try await delivery.save(on: database.db())
        }
        hook.dropped += oldest.count
        try await hook.save(on: database.db())
    }
}
