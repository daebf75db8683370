import BerthPanel
import Foundation

/// What a webhooks page shows: the webhooks of one instance (or, for admins, of every instance), each with
/// its newest deliveries, the form that makes one, and a new webhook's secret, once.
struct WebhookList {
    let heading: String
    let backHref: String
    let backLabel: String
    /// Where the forms post: `/instances/{id}/webhooks` or `/admin/webhooks`.
    let base: String
    let rows: [Row]
    let isEmpty: Bool
    let events: [Choice]
    let created: String?

    struct Row {
        let id: String
        let url: String
        let events: String
        let format: String
        let dropped: Int
        let deliveries: [Delivery]
        let hasDeliveries: Bool
    }

    struct Delivery {
        let webhookID: String
        let id: String
        let event: String
        let state: String
        let attempts: Int
        let answer: String
        let at: String
    }

    init(
        heading: String,
        backHref: String,
        backLabel: String,
        base: String,
        hooks: [(WebhookStore.View, [WebhookStore.DeliveryView])],
        created: String?
    ) {
        self.heading = heading
        self.backHref = backHref
        self.backLabel = backLabel
        self.base = base
        self.created = created
        isEmpty = hooks.isEmpty
        events = WebhookEvent.allCases.map { Choice(value: $0.rawValue, label: $0.rawValue, selected: false) }
        rows = hooks.map { hook, deliveries in
            Row(
                id: hook.id,
                url: hook.url,
                events: hook.events.joined(separator: ", "),
                format: hook.format,
                dropped: hook.dropped,
                deliveries: deliveries.prefix(10).map {
                    Delivery(
                        webhookID: hook.id,
                        id: $0.id,
                        event: $0.event,
                        state: $0.state,
                        attempts: $0.attempts,
                        answer: $0.lastStatus.map { "answered \($0)" } ?? $0.lastError ?? "",
                        at: String($0.createdAt.prefix(16)).replacingOccurrences(of: "T", with: " ")
                    )
                },
                hasDeliveries: !deliveries.isEmpty
            )
        }
    }
}
