import BerthHTTP
import BerthPanel
import BerthProtocol
import Foundation
import Hummingbird
import HummingbirdWSClient
import HummingbirdWebSocket
import NIOConcurrencyHelpers

/// `GET /instances/:id/socket`: the browser's console WebSocket. The panel checks the session and the
/// user's right to the instance, then relays frames both ways to the daemon's console socket, which it
/// opens with a short-lived token for this one instance. The browser never sees a node's address or token.
/// Everyone who reaches the instance gets its state and resource samples; its output, commands and each
/// power action take their own permission, checked on every message. Permissions are read again every
/// few seconds: when they change, the socket closes and the page reconnects with the new ones, so a
/// subuser who loses a permission loses it on an open console too.
struct ConsoleRelay: Sendable {
    let access: InstanceAccess
    let sessions: WebSessions
    let audit: AuditLog
    let consoleSlots: ConsoleSlots
    /// Opens the node's secret, which signs the console token.
    let box: SecretBox
    /// Origins allowed to open the socket besides the page's own host: the panel's public address.
    let publicURL: String

    /// How long a console token lives; the daemon closes the socket then and the page reconnects.
    static let tokenLifetime: TimeInterval = 15 * 60
    /// How often an open socket checks that its session is still signed in and its user may still see the
    /// instance: a signed-out browser, or a user who lost the instance, loses the console within seconds.
    static let accessCheckInterval: Duration = .seconds(3)
    static let maxViewerMessageBytes = 16 * 1024
    static let permissionsChanged = "Your permissions on this instance changed."
    /// Console commands waiting for the audit log; past this they are counted, and the count recorded.
    static let auditBacklog = 100
    /// Messages from the node waiting for a viewer that reads slowly; past this the oldest are dropped.
    static let viewerBacklog = 1000

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.ws("instances/:id/socket") { request, context in
            // Cookies ride along on cross-site WebSocket handshakes; only our own pages may open one.
            guard Self.isSameOrigin(origin: request.headers[.origin], authority: request.head.authority, publicURL: publicURL) else {
                throw APIError(.forbidden, "The console can only be opened from Berth's own pages.")
            }
            let user = try context.signedInUser()
            try Self.checkUsable(try await access.instance(try context.parameters.require("id"), for: user).instance)
            guard let userID = user.id, try await consoleSlots.hasRoom(for: userID) else {
                throw APIError(.tooManyRequests, "You have \(consoleSlots.limitPerUser) consoles open already; close one first.")
            }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, socketContext in
            let context = socketContext.requestContext
            let sessionID = socketContext.request.cookies[WebSessions.cookieName]?.value
            // Claimed here, in the database: the check before the upgrade is only a hint, since another
            // socket, through this process or another, may have taken the last slot since.
            guard let userID = context.user?.id, let claim = try? await consoleSlots.claim(for: userID) else {
                try? await outbound.close(.policyViolation, reason: "Too many consoles open; close one first.")
                return
            }
            let reason = await relay(context: context, sessionID: sessionID, slot: claim, inbound: inbound, outbound: outbound)
            // A release that fails leaves the slot to go stale (ConsoleSlots.staleAfter).
            try? await consoleSlots.release(claim)
            try? await outbound.close(.normalClosure, reason: reason)
        }
    }

    /// The console stays open through the install (its output is the progress) and after a failed one
    /// (its output says why); the daemon refuses commands and power actions until the instance is ready.
    static func checkUsable(_ instance: Instance) throws {
        if instance.deleting { throw APIError.conflict("The instance is being deleted.") }
        if instance.suspended { throw APIError(.forbidden, "The instance is suspended.") }
    }

    /// Relays until either side leaves or access ends; returns why the socket closes, for the browser.
    private func relay(
        context: WebRequestContext,
        sessionID: String?,
        slot: ConsoleSlots.Claim,
        inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter
    ) async -> String? {
        do {
            let user = try context.signedInUser()
            guard let sessionID else { throw APIError(.unauthorized, "Sign in first.") }
            let reached = try await access.instance(try context.parameters.require("id"), for: user)
            let instance = reached.instance
            try Self.checkUsable(instance)
            let permissions = reached.role.permissions
            // Accepting reloads the page, and so opens a new console that knows.
            let awaitsEULA = instance.image.decodedDefinition?.asksForEULA == true && !instance.eulaAccepted
            let id = try instance.requireID().uuidString.lowercased()
            let claims = ConsoleTokenClaims(instanceID: id, subject: user.username, expires: Int64(Date().timeIntervalSince1970 + Self.tokenLifetime))
            let token = try await ConsoleTokens(nodeToken: try instance.node.token(openedWith: box)).sign(claims)
            let channel = try DaemonClient.channel(to: instance.node)
            let closing = NIOLockedValueBox<String?>(nil)
            try await WebSocketClient.connect(
                url: channel.baseURL.replacingOccurrences(of: "https://", with: "wss://") + "/api/instances/\(id)/console",
                // In a header, never the URL: a console token in a URL ends up in the logs of whatever
                // stands between. The name sent in TLS's SNI is the certificate's own (an IP cannot be one).
                configuration: WebSocketClientConfiguration(additionalHeaders: [.authorization: "Bearer \(token)"], sniHostname: "berth-node"),
                tlsConfiguration: channel.tls,
                logger: context.logger
            ) {
                upstream,
                daemon,
                _ in
                // Audit entries are written beside the relay, never in a command's way to the node; a flood
                // of commands faster than the log keeps up is counted rather than queued without end.
                let auditTrail = AuditQueue(capacity: Self.auditBacklog)
                let instanceID = try instance.requireID()
                async let recorded: Void = auditTrail.drain { batch in
                    await audit.record(batch.map { ($0.action, $0.target) }, instance: instanceID, context: context)
                }
                defer { auditTrail.finish() }
                // Whatever ends the relay (a viewer gone, a node gone, a write that failed), what was queued
                // for the audit log is written and what was dropped is counted below.
                let reason: String?
                do {
                    reason = try await withThrowingTaskGroup(of: String?.self) { group in
                        group.addTask {
                            try await Self.pass(upstream, to: outbound) { permissions.contains(.consoleRead) || Self.isForEveryone($0) }
                            return "The node closed the console."
                        }
                        group.addTask {
                            for try await message in inbound.messages(maxSize: Self.maxViewerMessageBytes) {
                                guard case .text(let text) = message else { continue }
                                guard let request = try? JSONDecoder().decode(ConsoleRequest.self, from: Data(text.utf8)) else {
                                    try await outbound.writeTextMessage(
                                        ConsoleMessage(event: .error, data: "That is not a console request.").jsonText
                                    )
                                    continue
                                }
                                if let refusal = Self.refusal(of: request, holding: permissions, awaitingEULA: awaitsEULA) {
                                    try await outbound.writeTextMessage(ConsoleMessage(event: .error, data: refusal).jsonText)
                                    continue
                                }
                                try await daemon.writeTextMessage(text)
                                switch request.event {
                                case .power:
                                    auditTrail.add(AuditQueue.Entry(action: "\(request.data) instance", target: instance.name))
                                case .command:
                                    let entry = AuditQueue.Entry(
                                        action: "console command",
                                        target: "\(instance.name): \(Self.audited(command: request.data))"
                                    )
                                    auditTrail.add(entry)
                                }
                            }
                            return nil
                        }
                        group.addTask {
                            var saidAlive = Date()
                            while true {
                                try await Task.sleep(for: Self.accessCheckInterval)
                                if Date().timeIntervalSince(saidAlive) >= ConsoleSlots.keepAliveInterval {
                                    try? await consoleSlots.keepAlive(slot)
                                    saidAlive = Date()
                                }
                                do {
                                    guard try await sessions.exists(id: sessionID), let userID = user.id,
                                        let current = try await access.users.find(id: userID), current.sessionEpoch == user.sessionEpoch
                                    else { return "Your session ended." }
                                    let now = try await access.instance(id, for: current)
                                    try Self.checkUsable(now.instance)
                                    if now.role.permissions != permissions { return Self.permissionsChanged }
                                } catch let error as APIError {
                                    return error.message
                                }
                            }
                        }
                        let first = try await group.next() ?? nil
                        group.cancelAll()
                        // A node that stopped reading must not hold the relay open: the close gets a few seconds.
                        try? await Self.within(.seconds(5)) { try await daemon.close(.normalClosure, reason: nil) }
                        return first
                    }
                } catch {
                    context.logger.info("console relay ended: \(error)")
                    reason = "The connection to the node was lost."
                }
                auditTrail.finish()
                await recorded
                if auditTrail.dropped > 0 {
                    let summary = "\(instance.name): \(auditTrail.dropped) command(s) sent faster than the audit log keeps up"
                    await audit.record("console commands not recorded", target: summary, instance: instance.id, context: context)
                }
                closing.withLockedValue { $0 = reason }
            }
            return closing.withLockedValue { $0 }
        } catch let error as APIError {
            return error.message
        } catch let error as DaemonClientError {
            try? await outbound.writeTextMessage(ConsoleMessage(event: .error, data: "\(error.message).").jsonText)
            return "The node is not trusted."
        } catch {
            context.logger.info("console relay ended: \(error)")
            try? await outbound.writeTextMessage(ConsoleMessage(event: .error, data: "The node cannot be reached right now.").jsonText)
            return "The node cannot be reached."
        }
    }

    /// Passes the node's messages that `shown` lets through to the viewer until the node closes. The node is
    /// read all the time, whatever the viewer does: a viewer that stops reading loses the oldest messages
    /// past ``viewerBacklog`` rather than holding up the node, whose replies to commands would otherwise stall
    /// behind them, and with them everything the relay still has to say to the node.
    static func pass(
        _ upstream: WebSocketInboundStream,
        to outbound: WebSocketOutboundWriter,
        showing shown: @escaping @Sendable (String) -> Bool
    ) async throws {
        let (waiting, feed) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(viewerBacklog))
        try await withThrowingTaskGroup(of: Void.self) { pipe in
            pipe.addTask {
                defer { feed.finish() }
                for try await message in upstream.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message, shown(text) else { continue }
                    feed.yield(text)
                }
            }
            pipe.addTask {
                for await text in waiting { try await outbound.writeTextMessage(text) }
            }
            try await pipe.waitForAll()
        }
    }

    /// Runs `work`, cancelled after `limit`; throws `CancellationError` when it did not finish in time.
    static func within(_ limit: Duration, _ work: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { race in
            race.addTask {
                try await work()
                return true
            }
            race.addTask {
                try await Task.sleep(for: limit)
                return false
            }
            let finished = try await race.next() ?? false
            race.cancelAll()
            if !finished { throw CancellationError() }
        }
    }

    /// Why a viewer holding `permissions` may not send `request`, or nil when they may. An instance whose
    /// image asks for an EULA nobody accepted yet does not start.
    static func refusal(of request: ConsoleRequest, holding permissions: Set<InstancePermission>, awaitingEULA: Bool = false) -> String? {
        switch request.event {
        case .command:
            return permissions.contains(.consoleWrite) ? nil : "You may not send commands to this console."
        case .power:
            guard let action = PowerAction(rawValue: request.data) else { return "\(request.data) is no power action." }
            let needed = InstancePermission.power(action)
            guard permissions.contains(needed) else { return "You may not \(needed.summary)." }
            if awaitingEULA, action == .start || action == .restart { return "Accept the EULA on this page before the server starts." }
            return nil
        }
    }

    /// Whether a frame from the node goes to viewers without `console.read` too: the power state,
    /// resource samples and errors do; output and notices about it do not.
    static func isForEveryone(_ text: String) -> Bool {
        guard let message = try? JSONDecoder().decode(ConsoleMessage.self, from: Data(text.utf8)) else { return false }
        return message.event != .output && message.event != .notice
    }

    /// What the audit log keeps of a console command: the command's first word whole, the rest cut to a
    /// few characters and marked, so `/login hunter2` or an RCON password typed into a game console is not
    /// kept whole for every admin to read.
    static func audited(command: String) -> String {
        let words = command.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        let verb = String(words[0].prefix(40))
        guard words.count > 1 || words[0].count > 40 else { return verb }
        let rest = words.count > 1 ? words[1] : ""
        return "\(verb) \(rest.prefix(3))… (\(command.count) characters, cut)"
    }

    /// Whether a handshake comes from one of our own pages: the Origin is this host, or the panel's public
    /// address. No Origin means no browser, and so no cookie sent on someone else's behalf.
    static func isSameOrigin(origin: String?, authority: String?, publicURL: String) -> Bool {
        guard let origin else { return true }
        if origin == publicURL { return true }
        guard let authority else { return false }
        return origin == "http://\(authority)" || origin == "https://\(authority)"
    }
}
