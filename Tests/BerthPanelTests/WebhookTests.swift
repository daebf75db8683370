import BerthTestSupport
import Crypto
import DockerEngine
import FluentKit
import Foundation
import Testing

@testable import BerthPanel

/// Webhooks to a receiver of the test's own: signed, retried until they land, redelivered on request;
/// URLs into the panel's network refused; who may manage which.
@Suite("Webhooks", .timeLimit(.minutes(4)))
struct WebhookTests {
    /// Checks `t=<time>,v1=<hex>` as a receiver would: the HMAC of "<time>.<body>" with the secret, and a
    /// time within five minutes of now.
    static func verify(_ signature: String?, body: String, secret: String) -> Bool {
        guard let signature else { return false }
        var parts: [String: String] = [:]
        for part in signature.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { parts[String(pair[0])] = String(pair[1]) }
        }
        guard let time = parts["t"].flatMap(Int.init), let given = parts["v1"], abs(Int(Date().timeIntervalSince1970) - time) < 300 else {
            return false
        }
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(time).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined() == given
    }

    @Test("a crash fires a signed webhook, refused once and retried until it lands; it can be sent again")
    func crashIsSignedAndRetried() async throws {
        try await TestPanel.with(withNode: true) { panel in
            try await WebhookReceiver.with { receiver, url in
                let made = try await panel.request(
                    .POST,
                    "/api/v1/webhooks",
                    json: #"{"url": "\#(url)", "events": ["install.finished", "instance.crashed"]}"#
                )
                #expect(made.status == 201, "\(made.text)")
                let hook = try #require(made.object["id"] as? String)
                let secret = try #require(made.object["secret"] as? String)
                #expect(try await panel.request(.GET, "/api/v1/webhooks").array.first?["secret"] == nil, "the secret is shown once")

                let owner = try await panel.createUser("owner")
                let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
                try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }
                // The server's last words, with a terminal escape a tenant put in them.
                try await panel.panel.instances.sendCommand("\u{1B}[31mlast words\u{07}", to: id)
                try await Task.sleep(for: .milliseconds(500))
                let container = try #require(try await panel.instance(id)["ContainerId"] as? String)
                try await #require(panel.node).docker.killContainer(container, signal: "SIGKILL")

                let received = try await receiver.wait(for: "the crash, delivered") { received in
                    received.contains { $0.event == "instance.crashed" && $0.status == 200 }
                }
                let crashes = received.filter { $0.event == "instance.crashed" }
                #expect(crashes.map(\.status) == [500, 200], "refused once, then delivered: \(crashes.map(\.status))")
                let crash = try #require(crashes.last)
                #expect(Self.verify(crash.signature, body: crash.body, secret: secret), "signed with the webhook's secret")
                #expect(
                    !Self.verify(crash.signature, body: crash.body.replacingOccurrences(of: "137", with: "0"), secret: secret),
                    "a changed body fails"
                )
                let payload = try #require(try JSONSerialization.jsonObject(with: Data(crash.body.utf8)) as? [String: Any])
                #expect(payload["event"] as? String == "instance.crashed" && payload["id"] as? String == crash.delivery)
                #expect((payload["instance"] as? [String: Any])?["id"] as? String == id)
                #expect((payload["details"] as? [String: Any])?["exitCode"] as? Int == 137, "\(crash.body)")
                let lastLines = (payload["details"] as? [String: Any])?["lastLines"] as? [String]
                #expect(lastLines?.contains("ready") == true && lastLines?.contains("echo:last words") == true, "its last lines: \(crash.body)")
                #expect(lastLines?.joined().unicodeScalars.contains { $0.properties.generalCategory == .control } == false, "without escapes")
                #expect(received.contains { $0.event == "install.finished" && $0.status == 200 })

                let deliveries = try await panel.request(.GET, "/api/v1/webhooks/\(hook)/deliveries").array
                let listed = try #require(deliveries.first { $0["event"] as? String == "instance.crashed" })
                #expect(listed["state"] as? String == "delivered" && listed["attempts"] as? Int == 2 && listed["lastStatus"] as? Int == 200)
                let again = try await panel.request(.POST, "/api/v1/webhooks/\(hook)/deliveries/\(try #require(crash.delivery))/redeliver")
                #expect(again.status == 202, "\(again.text)")
                _ = try await receiver.wait(for: "the redelivery") { $0.filter { $0.delivery == crash.delivery }.count == 3 }

                // An owner's webhook hears of their instance; another user's key cannot see or remove it.
                let ownersKey = try await panel.panel.createAPIKey(name: "owner's", scopes: "instances:write", owner: owner)
                let everywhere = try await panel.request(
                    .POST,
                    "/api/v1/webhooks",
                    json: #"{"url": "\#(url)", "events": ["instance.stopped"]}"#,
                    apiKey: .some(ownersKey)
                )
                #expect(everywhere.status == 403, "only an admin hears of every instance: \(everywhere.text)")
                let own = try await panel.request(
                    .POST,
                    "/api/v1/webhooks",
                    json: #"{"url": "\#(url)", "events": ["instance.stopped"], "format": "discord", "instance": "\#(id)"}"#,
                    apiKey: .some(ownersKey)
                )
                #expect(own.status == 201, "\(own.text)")
                let ownID = try #require(own.object["id"] as? String)
                #expect(try await panel.request(.GET, "/api/v1/webhooks", apiKey: .some(ownersKey)).array.map { $0["id"] as? String } == [ownID])
                let strangersKey = try await panel.panel.createAPIKey(
                    name: "stranger's",
                    scopes: "instances:write",
                    owner: try await panel.createUser("stranger")
                )
                #expect(try await panel.request(.GET, "/api/v1/webhooks", apiKey: .some(strangersKey)).array.isEmpty)
                #expect(try await panel.request(.DELETE, "/api/v1/webhooks/\(ownID)", apiKey: .some(strangersKey)).status == 404)
                #expect(try await panel.request(.DELETE, "/api/v1/webhooks/\(hook)", apiKey: .some(ownersKey)).status == 404)

                #expect(try await panel.request(.POST, "/api/v1/instances/\(id)/power", ["action": "stop"]).status == 202)
                let stopped = try await receiver.wait(for: "the stop, in Discord's format") { received in
                    received.contains { $0.event == "instance.stopped" && $0.status == 200 }
                }
                let message = try #require(stopped.last { $0.event == "instance.stopped" })
                let discord = try #require(try JSONSerialization.jsonObject(with: Data(message.body.utf8)) as? [String: Any])
                #expect(discord["content"] as? String == "**game** stopped (exit code 0)", "\(message.body)")
                #expect(try await panel.request(.DELETE, "/api/v1/webhooks/\(ownID)", apiKey: .some(ownersKey)).status == 204)
            }
        }
    }

    @Test("URLs into the panel's own network are refused unless allowed; bad events and formats are named")
    func refusals() async throws {
        try await InProcessPanel.with { panel in
            for (url, problem) in [
                ("http://127.0.0.1:9/hook", "url: http://127.0.0.1:9/hook which is this panel (127.0.0.1); webhooks go elsewhere"),
                (
                    "http://169.254.169.254/latest",
                    "url: http://169.254.169.254/latest which is link-local (169.254.169.254, where cloud metadata lives); webhooks never go there"
                ),
                (
                    "https://10.1.2.3/hook",
                    "url: https://10.1.2.3/hook which is on a private network (10.1.2.3); the panel's operator can allow that with --allow-private-webhooks"
                ),
                ("ftp://example.com/hook", "url: ftp://example.com/hook which is not an http(s) URL"),
                ("http://user:secret@127.0.0.1/hook?token=abc", "url: http://127.0.0.1/hook which is this panel (127.0.0.1); webhooks go elsewhere"),
            ] {
                let refused = try await panel.request(.POST, "/api/v1/webhooks", json: #"{"url": "\#(url)", "events": ["instance.crashed"]}"#)
                #expect(refused.status == 400 && refused.error == problem, "\(url): \(refused.text)")
            }
            for (body, problem) in [
                (#"{"url": "http://192.0.2.1/", "events": []}"#, "events must name at least one event"),
                (
                    #"{"url": "http://192.0.2.1/", "events": ["instance.exploded"]}"#,
                    "events: instance.exploded is not an event; one of install.finished, install.failed, instance.started, instance.stopped, instance.crashed, backup.finished, backup.failed, instance.deployed, instance.deleted, node.offline, node.online"
                ),
                (#"{"url": "http://192.0.2.1/", "events": ["instance.crashed"], "format": "slack"}"#, "format must be json or discord"),
                (
                    #"{"url": "http://192.0.2.1/", "events": ["instance.crashed"], "retries": 3}"#,
                    "retries is not a field of this request; it takes events, format, instance, url"
                ),
            ] {
                let refused = try await panel.request(.POST, "/api/v1/webhooks", json: body)
                #expect(refused.status == 400 && refused.error == problem, "\(body): \(refused.text)")
            }
            #expect(try await panel.request(.GET, "/api/v1/webhooks").array.isEmpty, "nothing was made")
        }
    }

    @Test("retries wait longer each time, up to an hour; a full queue drops its oldest deliveries and counts them")
    func backoffAndQueueBound() async throws {
        #expect((1...10).map(WebhookSender.wait(after:)) == [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600])
        #expect(WebhookSender.wait(after: 20) == 3600)
        try await TestPanel.with(withNode: true) { panel in
            let id = try await InstanceTests.deployReadyEcho(panel, owner: try await panel.createUser("owner"))
            // A receiver that is not there: every attempt fails at once, and waits before the next.
            let made = try await panel.request(.POST, "/api/v1/webhooks", json: #"{"url": "http://127.0.0.1:9/hook", "events": ["backup.failed"]}"#)
            let hook = try #require(made.object["id"] as? String)
            let instance = try #require(try await Instance.find(UUID(uuidString: id), on: panel.panel.database.db()))
            for _ in 0..<(WebhookOutbox.queueLimit + 5) {
                await panel.panel.instances.outbox.post(.backupFailed, about: instance, details: .init(reason: "test"))
            }
            let states = try await WebhookDelivery.query(on: panel.panel.database.db()).all().map(\.state)
            #expect(states.filter { $0 == "dropped" }.count == 5)
            #expect(states.filter { $0 != "dropped" }.count == WebhookOutbox.queueLimit)
            #expect(try await panel.request(.GET, "/api/v1/webhooks").array.first { $0["id"] as? String == hook }?["dropped"] as? Int == 5)
        }
    }

    @Test("a node that stops answering is told once to admins' webhooks and its instances' owners, and its next heartbeat tells it is back")
    func nodeOfflineAndOnline() async throws {
        try await TestPanel.with(withNode: true) { panel in
            try await WebhookReceiver.with { receiver, url in
                let node = try #require(panel.node)
                let owner = try await panel.createUser("owner")
                let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
                let admins = try await panel.request(
                    .POST,
                    "/api/v1/webhooks",
                    json: #"{"url": "\#(url)", "events": ["node.offline", "node.online"]}"#
                )
                #expect(admins.status == 201, "\(admins.text)")
                let ownersKey = try await panel.panel.createAPIKey(name: "owner's", scopes: "instances:write", owner: owner)
                let owners = try await panel.request(
                    .POST,
                    "/api/v1/webhooks",
                    json: #"{"url": "\#(url)", "events": ["node.offline"], "format": "discord", "instance": "\#(id)"}"#,
                    apiKey: .some(ownersKey)
                )
                #expect(owners.status == 201, "\(owners.text)")

                // The node's last heartbeat as if a minute had passed since; twice, as two panels would look.
                let later = Date().addingTimeInterval(panel.panel.nodes.liveness.timeout + 30)
                await panel.panel.nodeWatcher.reportSilentNodes(at: later)
                await panel.panel.nodeWatcher.reportSilentNodes(at: later)
                let offline = try await receiver.wait(for: "node.offline, to both webhooks") { received in
                    Set(received.filter { $0.event == "node.offline" && $0.status == 200 }.compactMap(\.delivery)).count == 2
                }
                let queued = try await WebhookDelivery.query(on: panel.panel.database.db()).filter(\.$event == "node.offline").count()
                #expect(queued == 2, "told once per webhook")
                let bodies = offline.filter { $0.event == "node.offline" && $0.status == 200 }.map(\.body)
                let json = try #require(
                    bodies.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.first { $0["event"] != nil }
                )
                #expect((json["node"] as? [String: Any])?["id"] as? String == node.id && json["instance"] == nil, "\(json)")
                let discord = try #require(
                    bodies.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.first { $0["content"] != nil }
                )
                #expect((discord["content"] as? String)?.hasSuffix("went offline: its node stopped answering") == true, "\(discord)")

                // The node is in fact well: its next heartbeat says it is back, once.
                _ = try await receiver.wait(for: "node.online") { received in
                    received.contains { $0.event == "node.online" && $0.status == 200 }
                }
                let stored = try #require(try await Node.find(UUID(uuidString: node.id), on: panel.panel.database.db()))
                #expect(!stored.reportedOffline)
                #expect(try await WebhookDelivery.query(on: panel.panel.database.db()).filter(\.$event == "node.online").count() == 1)
            }
        }
    }
}
