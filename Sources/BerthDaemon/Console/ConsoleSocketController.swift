import BerthHTTP
import BerthProtocol
import Foundation
import Hummingbird
import HummingbirdWebSocket

/// The console WebSocket, `GET /api/instances/:id/console` with `Authorization: Bearer <console token>`
/// (a header, never the URL, which proxies and logs keep): output, status and stats out; commands and
/// power actions in. The token is a console token for this instance (see ``ConsoleTokens``);
/// the socket closes when the token expires, or when the instance is suspended or deleted.
struct ConsoleSocketController: Sendable {
    let supervisor: InstanceSupervisor
    let tokens: ConsoleTokens
    let commandsPerSecond: Int
    let socketsPerInstance: Int

    /// Largest message a viewer may send.
    static let maxRequestBytes = 16 * 1024

    func addRoutes(to router: Router<BasicWebSocketRequestContext>) {
        router.ws(RouterPath(DaemonRoutes.console.pattern)) { request, context in
            let id = try context.parameters.require("id")
            _ = try await authorize(request, instanceID: id)
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let id = try context.requestContext.parameters.require("id")
            let claims = try await authorize(context.request, instanceID: id)
            try await serve(instanceID: id, claims: claims, inbound: inbound, outbound: outbound)
        }
    }

    private func authorize(_ request: Request, instanceID: String) async throws -> ConsoleTokenClaims {
        guard let token = request.bearerToken else {
            throw APIError(.unauthorized, "the console needs a console token")
        }
        let claims: ConsoleTokenClaims
        do {
            claims = try await tokens.verify(token, instanceID: instanceID)
        } catch {
            throw APIError(.unauthorized, "the console token is invalid, expired or not for this instance")
        }
        guard try await !supervisor.status(of: instanceID).suspended else {
            throw APIError(.forbidden, "the instance is suspended")
        }
        guard try await supervisor.console(of: instanceID).viewerCount < socketsPerInstance else {
            throw APIError(.tooManyRequests, "\(socketsPerInstance) consoles are open on this instance already; close one first")
        }
        return claims
    }

    private func serve(
        instanceID: String,
        claims: ConsoleTokenClaims,
        inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter
    ) async throws {
        let console = try await supervisor.console(of: instanceID)
        let status = try await supervisor.status(of: instanceID)
        try await outbound.writeTextMessage(ConsoleMessage(event: .status, data: status.powerState.rawValue).jsonText)
        let (viewer, messages) = console.subscribe()
        defer { console.unsubscribe(viewer) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await message in messages {
                    try await outbound.writeTextMessage(message.jsonText)
                    console.delivered(message, to: viewer)
                }
            }
            group.addTask {
                var budget = CommandBudget(perSecond: commandsPerSecond)
                for try await message in inbound.messages(maxSize: Self.maxRequestBytes) {
                    guard case .text(let text) = message else { continue }
                    guard budget.take() else {
                        let notice = "too many messages: at most \(commandsPerSecond) a second; this one was not sent"
                        try await outbound.writeTextMessage(ConsoleMessage(event: .error, data: notice).jsonText)
                        continue
                    }
                    if let problem = await handle(text, instanceID: instanceID) {
                        try await outbound.writeTextMessage(ConsoleMessage(event: .error, data: problem).jsonText)
                    }
                }
            }
            group.addTask {
                let remaining = Double(claims.expires) - Date().timeIntervalSince1970
                try await Task.sleep(for: .seconds(max(remaining, 0)))
                try await outbound.writeTextMessage(ConsoleMessage(event: .error, data: "the console token expired").jsonText)
            }
            // Whichever ends first (the viewer left, the console closed, the token expired) ends the socket.
            try await group.next()
            group.cancelAll()
        }
        try? await outbound.close(.normalClosure, reason: nil)
    }

    /// Acts on one message from a viewer; returns what went wrong, if anything.
    private func handle(_ text: String, instanceID: String) async -> String? {
        guard let request = try? JSONDecoder().decode(ConsoleRequest.self, from: Data(text.utf8)) else {
            return "send {\"event\": \"command\" or \"power\", \"data\": ...}"
        }
        do {
            switch request.event {
            case .command:
                try await supervisor.sendCommand(request.data, to: instanceID)
            case .power:
                guard let action = PowerAction(rawValue: request.data) else {
                    return "power actions are \(PowerAction.allCases.map(\.rawValue).joined(separator: ", "))"
                }
                _ = try await supervisor.perform(action, on: instanceID)
            }
            return nil
        } catch let error as InstanceError {
            return error.apiError.message
        } catch {
            return "\(error)"
        }
    }
}
