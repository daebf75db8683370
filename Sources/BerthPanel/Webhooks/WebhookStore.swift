import BerthHTTP
import FluentKit
import Foundation

/// The webhooks admins set up for every instance and owners for theirs: made with a URL the panel may
/// reach, the events wanted and a format; the signing secret is shown once, when made.
package struct WebhookStore: Sendable {
    let database: PanelDatabase
    let box: SecretBox
    let check: OutboundCheck

    /// At most this many webhooks per instance (and as many for every instance).
    static let mostPerScope = 10

    /// A webhook as the API shows it; `secret` only in the answer that made it.
    package struct View: Codable, Sendable, Equatable {
        package let id: String
        package let instance: String?
        package let url: String
        package let events: [String]
        package let format: String
        package let dropped: Int
        package let createdAt: String?
        package var secret: String?

        init(_ hook: Webhook, secret: String? = nil) {
            id = hook.id?.uuidString.lowercased() ?? ""
            instance = hook.instanceID?.uuidString.lowercased()
            url = hook.url
            events = hook.events.split(separator: ",").map(String.init)
            format = hook.format
            dropped = hook.dropped
            createdAt = hook.createdAt?.formatted(.iso8601)
            self.secret = secret
        }
    }

    /// A delivery as the API shows it.
    package struct DeliveryView: Codable, Sendable, Equatable {
        package let id: String
        package let event: String
        package let state: String
        package let attempts: Int
        package let lastStatus: Int?
        package let lastError: String?
        package let nextAttemptAt: String?
        package let createdAt: String
        package let deliveredAt: String?

        init(_ delivery: WebhookDelivery) {
            id = delivery.id?.uuidString.lowercased() ?? ""
            event = delivery.event
            state = delivery.state
            attempts = delivery.attempts
            lastStatus = delivery.lastStatus
            lastError = delivery.lastError
            nextAttemptAt = delivery.nextAttempt.map(Self.time)
            createdAt = Self.time(delivery.created)
            deliveredAt = delivery.delivered.map(Self.time)
        }

        static func time(_ seconds: Int) -> String { Date(timeIntervalSince1970: Double(seconds)).formatted(.iso8601) }
    }

    /// Makes a webhook for `instance` (nil: every instance). The URL must be one the panel may reach now.
    package func create(url: String, events: [String], format: String?, instance: UUID?) async throws -> View {
        guard url.count <= 2048 else { throw PanelError.invalid("url must be at most 2048 characters") }
        do {
            _ = try await check.destination(of: url)
        } catch {
            throw PanelError.invalid("url: \(URL(string: url)?.withoutSecrets ?? "the URL") \(error.reason)")
        }
        let events = try WebhookEvent.parse(events)
        let format =
            try format.map { name in
                guard let format = WebhookFormat(rawValue: name) else { throw PanelError.invalid("format must be json or discord") }
                return format
            } ?? .json
        let existing = try await Webhook.query(on: database.db()).filter(\.$instanceID == instance).count()
        guard existing < Self.mostPerScope else { throw PanelError.conflict("at most \(Self.mostPerScope) webhooks here; delete one first") }
        let secret = Secrets.generate()
        let hook = Webhook()
        hook.instanceID = instance
        hook.url = url
        hook.sealedSecret = try box.seal(secret, for: Webhook.secretColumn)
        hook.events = events.map(\.rawValue).joined(separator: ",")
        hook.format = format.rawValue
        hook.dropped = 0
        try await hook.create(on: database.db())
        return View(hook, secret: secret)
    }

    /// The webhooks of these instances, and those for every instance when `everyInstance`.
    package func list(instances: [UUID]?, everyInstance: Bool) async throws -> [View] {
        let query = Webhook.query(on: database.db()).sort(\.$createdAt).sort(\.$id)
        switch (instances, everyInstance) {
        case (nil, true): break
        case (nil, false): query.filter(\.$instanceID != nil)
        case (let instances?, true): query.group(.or) { $0.filter(\.$instanceID == nil).filter(\.$instanceID ~~ instances) }
        case (let instances?, false): query.filter(\.$instanceID ~~ instances)
        }
        return try await query.all().map { View($0) }
    }

    /// The webhook, only when it is one of `instance`'s (nil: one for every instance).
    package func view(_ id: String, of instance: UUID?) async throws -> View {
        let hook = try await find(id)
        guard hook.instanceID == instance else { throw PanelError.notFound("no webhook with that id") }
        return View(hook)
    }

    package func delete(_ id: String) async throws { try await delete(try await find(id)) }

    package func deliveries(of id: String) async throws -> [DeliveryView] { try await deliveries(of: try await find(id)) }

    package func redeliver(_ delivery: String, of id: String) async throws -> DeliveryView {
        try await redeliver(delivery, of: try await find(id))
    }

    func find(_ id: String) async throws -> Webhook {
        guard let uuid = UUID(uuidString: id), let hook = try await Webhook.find(uuid, on: database.db()) else {
            throw PanelError.notFound("no webhook with that id")
        }
        return hook
    }

    func delete(_ hook: Webhook) async throws {
        try await hook.delete(on: database.db())
    }

    /// The newest deliveries, newest first.
    func deliveries(of hook: Webhook, count: Int = 50) async throws -> [DeliveryView] {
        try await WebhookDelivery.query(on: database.db()).filter(\.$webhook.$id == hook.requireID())
            .sort(\.$created, .descending).sort(\.$id, .descending).limit(count).all().map(DeliveryView.init)
    }

    /// Sends a delivery again, now, with its attempts counted afresh.
    func redeliver(_ deliveryID: String, of hook: Webhook) async throws -> DeliveryView {
        guard let uuid = UUID(uuidString: deliveryID),
            let delivery = try await WebhookDelivery.query(on: database.db()).filter(\.$id == uuid).filter(\.$webhook.$id == hook.requireID()).first()
        else {
            throw PanelError.notFound("the webhook has no delivery with that id")
        }
        delivery.state = "pending"
        delivery.attempts = 0
        delivery.created = Int(Date().timeIntervalSince1970)
        delivery.nextAttempt = delivery.created
        try await delivery.save(on: database.db())
        return DeliveryView(delivery)
    }
}
