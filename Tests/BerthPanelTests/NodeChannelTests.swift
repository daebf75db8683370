import BerthDaemon
import BerthHTTP
import BerthProtocol
import BerthTestSupport
import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import BerthPanel

/// The panel's side of the node channel, in-process: callbacks count only when signed by the node's key,
/// fresh and first; the node's certificate is pinned on first use and a different one waits for an admin.
@Suite("The node channel", .timeLimit(.minutes(2)))
struct NodeChannelTests {
    /// A node made through `/api/nodes/create`, with the credentials its configure command carries.
    static func createNode(_ panel: InProcessPanel, name: String = "n1") async throws -> (id: String, credentials: NodeCredentials) {
        let created = try await panel.request(
            .POST,
            "/api/nodes/create",
            ["name": name, "ram": "1G", "disk": "1G", "processor": "1", "address": "192.0.2.10", "port": "3002"]
        )
        let id = try #require((created.object["Message"] as? [String: Any])?["id"] as? String)
        let command = try #require(created.object["configureCommand"] as? String)
        let token = try #require(command.split(separator: " ").dropFirst().first.map(String.init))
        return (id, try #require(NodeCredentials(token: token)))
    }

    /// A heartbeat's body presenting `certificate`.
    static func heartbeat(presenting certificate: String?) throws -> Data {
        let info = NodeInfo(
            version: "test",
            docker: DockerStatus(reachable: true, host: "test"),
            cpuCores: 1,
            memoryTotalBytes: 1 << 30,
            memoryAvailableBytes: 1 << 30,
            diskTotalBytes: 1 << 30,
            diskAvailableBytes: 1 << 30,
            instances: 0,
            certificate: certificate
        )
        return try JSONEncoder().encode(info)
    }

    /// Posts `body` to `route` with `signature`'s fields (none when nil).
    static func callback(_ panel: InProcessPanel, _ route: RoutePath, body: Data, signature: CallbackSignature?) async throws -> HTTPAnswer {
        var headers: HTTPFields = [.contentType: "application/json"]
        for (name, value) in signature?.headerFields ?? [] { headers[name] = value }
        return try await panel.client.execute(uri: route.pattern, method: .post, headers: headers, body: ByteBuffer(data: body)) {
            HTTPAnswer(status: Int($0.status.code), body: Data(buffer: $0.body))
        }
    }

    static func newCertificate() throws -> String {
        let directory = NSTemporaryDirectory() + "berth-certificate-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try NodeCertificate.loadOrCreate(in: directory).certificatePEM
    }

    static func node(_ id: String, in panel: InProcessPanel) async throws -> Node {
        try #require(try await panel.panel.nodes.find(id))
    }

    @Test("a callback counts only when the node's key signed this body, lately, and for the first time")
    func forgedStaleAlteredAndReplayedCallbacksAreRefused() async throws {
        try await InProcessPanel.with { panel in
            let (id, credentials) = try await Self.createNode(panel)
            let route = PanelRemoteRoutes.heartbeat
            let body = try Self.heartbeat(presenting: nil)
            func signed(_ key: String, body: Data = body, at date: Date = Date()) -> CallbackSignature {
                CallbackSignature.sign(method: "POST", path: route.pattern, body: body, key: key, now: date)
            }
            let refusals: [(String, Data, CallbackSignature?)] = [
                ("unsigned", body, nil),
                ("signed with another key", body, signed(Secrets.generate())),
                // The panel's own secret for the node is not the node's: each direction has its own.
                ("signed with the secret the panel presents", body, signed(credentials.toNode)),
                ("signed ten minutes ago", body, signed(credentials.toPanel, at: Date().addingTimeInterval(-600))),
                ("another body under the signature", try Self.heartbeat(presenting: "x"), signed(credentials.toPanel)),
            ]
            for (what, body, signature) in refusals {
                let answer = try await Self.callback(panel, route, body: body, signature: signature)
                #expect(answer.status == 401, "\(what)")
                #expect(answer.error == "missing, invalid, stale or replayed callback signature", "\(what)")
            }
            #expect(try await Self.node(id, in: panel).lastSeenAt == nil, "no refused heartbeat counted")

            let genuine = signed(credentials.toPanel)
            #expect(try await Self.callback(panel, route, body: body, signature: genuine).status == 204)
            #expect(try await Self.node(id, in: panel).lastSeenAt != nil)
            let replayed = try await Self.callback(panel, route, body: body, signature: genuine)
            #expect(replayed.status == 401, "the same callback sent again")
            // Events are signed for their own route: a heartbeat's signature does not carry over.
            let events = try JSONEncoder().encode(InstanceEventBatch(events: []))
            let moved = CallbackSignature.sign(method: "POST", path: route.pattern, body: events, key: credentials.toPanel)
            #expect(try await Self.callback(panel, PanelRemoteRoutes.events, body: events, signature: moved).status == 401)
            let rightRoute = CallbackSignature.sign(method: "POST", path: PanelRemoteRoutes.events.pattern, body: events, key: credentials.toPanel)
            #expect(try await Self.callback(panel, PanelRemoteRoutes.events, body: events, signature: rightRoute).status == 204)
        }
    }

    @Test("the first signed heartbeat pins the node's certificate; another one is refused until an admin accepts it")
    func certificateIsPinnedOnFirstUseAndAChangeWaitsForAnAdmin() async throws {
        try await InProcessPanel.with { panel in
            let (id, credentials) = try await Self.createNode(panel)
            func beat(_ certificate: String?) async throws -> HTTPAnswer {
                let body = try Self.heartbeat(presenting: certificate)
                let signature = CallbackSignature.sign(
                    method: "POST",
                    path: PanelRemoteRoutes.heartbeat.pattern,
                    body: body,
                    key: credentials.toPanel
                )
                return try await Self.callback(panel, PanelRemoteRoutes.heartbeat, body: body, signature: signature)
            }
            // Online but without a certificate (a daemon from before TLS): not trusted, and sent nothing.
            #expect(try await beat(nil).status == 204)
            let owner = try await panel.createUser("owner")
            try await InstanceTests.importEchoImage(into: panel.panel)
            let deploy: [String: Any] = [
                "image": TestImage.name, "memory": "64M", "cpu": 1, "ports": "25565:25565", "nodeId": id, "name": "x", "user": owner,
            ]
            let untrusted = try await panel.request(.POST, "/api/instances/deploy", deploy)
            #expect(untrusted.status == 500, "\(untrusted.text)")
            #expect(untrusted.error?.contains("the node is not trusted") == true, "\(untrusted.error ?? "")")
            #expect(try await panel.request(.GET, "/api/instances").array.isEmpty, "nothing was kept of a deploy never sent")

            let first = try Self.newCertificate()
            let firstPrint = try PinnedCertificate(pem: first).fingerprint
            #expect(try await beat(first).status == 204)
            #expect(try await Self.node(id, in: panel).pinnedCertificate?.fingerprint == firstPrint)
            #expect(try await beat(first).status == 204, "the pinned certificate again is fine")

            let second = try Self.newCertificate()
            let secondPrint = try PinnedCertificate(pem: second).fingerprint
            let changed = try await beat(second)
            #expect(changed.status == 403)
            #expect(changed.error?.contains(secondPrint) == true && changed.error?.contains(firstPrint) == true)
            let node = try await Self.node(id, in: panel)
            #expect(node.pinnedCertificate?.fingerprint == firstPrint, "a changed certificate never replaces the pin by itself")
            #expect(throws: DaemonClientError.self, "the panel sends nothing to a node whose certificate changed") {
                try DaemonClient.channel(to: node)
            }

            // The admin sees both fingerprints on the Nodes page and accepts the new one.
            _ = try await panel.panel.createUser(username: "root", email: "root@example.com", password: WebSessionTests.password, admin: true)
            let browser = panel.browser()
            #expect(try await browser.signIn("root", WebSessionTests.password).status == 303)
            let page = try await browser.get("/admin/nodes")
            #expect(page.text.contains(firstPrint) && page.text.contains(secondPrint) && page.text.contains("/admin/nodes/\(id)/certificate"))
            let stale = try await browser.post("/admin/nodes/\(id)/certificate", ["fingerprint": firstPrint])
            #expect(stale.status == 303)
            #expect(try await Self.node(id, in: panel).pinnedCertificate?.fingerprint == firstPrint, "only the offered fingerprint is accepted")
            #expect(try await browser.post("/admin/nodes/\(id)/certificate", ["fingerprint": secondPrint]).status == 303)
            let accepted = try await Self.node(id, in: panel)
            #expect(accepted.pinnedCertificate?.fingerprint == secondPrint)
            #expect(accepted.offeredCertificate == nil)
            #expect(try DaemonClient.channel(to: accepted).baseURL == "https://192.0.2.10:3002")
            #expect(try await beat(second).status == 204)
            let audit = try await browser.get("/admin/audit")
            #expect(audit.text.contains("trusted node certificate \(secondPrint)"))
        }
    }
}

/// The node channel on the wire, with a real node: what someone between the panel and the node sees,
/// and what happens when the node at the address is not the one pinned.
@Suite("The node channel on the wire", .timeLimit(.minutes(3)))
struct NodeChannelWireTests {
    @Test("a capture of the channel, both ways, through a deploy and a console, shows no secret")
    func sniffingShowsNoSecret() async throws {
        try await TestPanel.with(withNode: true, recordingChannel: true) { panel in
            let node = try #require(panel.node)
            let id = try await InstanceTests.deployReadyEcho(panel, owner: try await panel.createUser("owner"))
            let browser = panel.browser()
            #expect(try await browser.signIn("owner", WebSessionTests.password).status == 303)
            let cookie = try #require(browser.sessionCookie)
            let firstFrame = try await onOwnThread {
                let socket = try RawHTTP(port: panel.port, head: panel.consoleHandshake(id, cookie: cookie))
                guard try socket.statusLine().contains(" 101 ") else { throw TestFailure("the console did not open") }
                return try socket.nextFrame().opcode
            }
            #expect(firstFrame == 1, "the console was relayed from the node")
            try await panel.deleteInstance(id)

            let toPanel = try #require(node.recorders.first).captured
            let toNode = try #require(node.recorders.last).captured
            // The capture works: the callbacks to a plain-HTTP panel are there to read, signature and all.
            let callbacks = String(decoding: toPanel, as: UTF8.self).lowercased()
            #expect(callbacks.contains("post /api/remote/events") && callbacks.contains("berth-signature"))
            // Panel → node is TLS from the first byte (a handshake record), so no path, header or body shows.
            #expect(toNode.first == 0x16)
            #expect(toNode.count > 1000)
            let secrets = [
                ("the secret the panel presents", node.credentials.toNode), ("the node's signing key", node.credentials.toPanel),
                ("an Authorization header", "Bearer"), ("a console token (a JWT)", "eyJ"),
            ]
            for (what, secret) in secrets {
                #expect(toPanel.range(of: Data(secret.utf8)) == nil, "node → panel carries \(what)")
            }
            for (what, secret) in secrets + [("an instance route", "/api/instances")] {
                #expect(toNode.range(of: Data(secret.utf8)) == nil, "panel → node carries \(what)")
            }
        }
    }

    @Test("a node that does not hold the pinned certificate is not sent the deploy; accepted, it works")
    func wrongCertificateIsRefused() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            let stored = try #require(try await panel.panel.nodes.find(node.id))
            let genuine = try #require(stored.certificate)
            // The panel pins another certificate than the one the node serves: as if someone else answered there.
            stored.certificate = try NodeChannelTests.newCertificate()
            try await stored.save(on: panel.panel.database.db())
            try await InstanceTests.importEchoImage(panel)
            let owner = try await panel.createUser("owner")
            let refused = try await panel.request(
                .POST,
                "/api/instances/deploy",
                InstanceTests.deployFields(node: node.id, user: owner, port: TestPorts.next())
            )
            #expect(refused.status == 500)
            // Refused at the TLS handshake, or before it when a heartbeat has meanwhile offered the real certificate.
            let reason = refused.error ?? ""
            #expect(reason.contains("could not be reached") || reason.contains("presents a TLS certificate other than the one pinned"), "\(reason)")
            #expect(try await node.docker.listContainers(labels: [node.containerLabel]).isEmpty, "the node never received the deploy")
            // Its next heartbeat presents its real certificate, which is kept for the admin to compare.
            let deadline = ContinuousClock.now + .seconds(30)
            while try await panel.panel.nodes.find(node.id)?.offeredCertificate == nil {
                guard ContinuousClock.now < deadline else { throw TestFailure("the node's certificate was never offered") }
                try await Task.sleep(for: .milliseconds(100))
            }
            let offered = try #require(try await panel.panel.nodes.find(node.id)?.offeredCertificate)
            #expect(offered == genuine)
            #expect(try await panel.panel.trust.acceptOffer(of: node.id, fingerprint: PinnedCertificate(pem: genuine).fingerprint))
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            try await panel.deleteInstance(id)
        }
    }
}
