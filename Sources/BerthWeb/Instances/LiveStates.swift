import BerthHTTP
import BerthPanel
import BerthProtocol
import Foundation
import Hummingbird
import NIOCore

/// The state of a list of instances as it changes, for pages that show it live: one stream of
/// server-sent events per page (`/live/instances`), not a console socket per row, and the same as one JSON
/// answer (`/live/instances.json`). A page asks for the user's own and shared instances, for every
/// instance (`scope=all`, administrators), or for one (`id=`); an instance missing from an answer was
/// deleted or is no longer the user's to see.
struct LiveStates: Sendable {
    let instances: InstanceStore
    let access: InstanceAccess
    let sessions: WebSessions

    /// How often the stream looks again, and how long one stream lasts before the browser opens the next.
    static let interval = Duration.seconds(2)
    static let lifetime = Duration.seconds(600)

    struct State: Encodable, Equatable {
        let id: String
        /// What the badge says (``InstanceSummary/state(of:)``): deleting, suspended, installing, failed,
        /// or the power state.
        let state: String
        let cpuPercent: Double?
        let memoryBytes: Int64?
        let memoryLimitBytes: Int64?
        /// Seconds since 1970 when its container started, while it runs.
        let startedAt: Double?
        /// What its files take, running or not, and its disk limit (nil without one).
        let diskBytes: Int64?
        let diskLimitBytes: Int64?
        /// Whether what it writes next fails for want of room (``DiskUsage/isFull``).
        let diskFull: Bool?
    }

    struct Snapshot: Encodable, Equatable {
        let instances: [State]
    }

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("live/instances.json") { request, context in
            let user = try context.signedInUser()
            return try JSONResponse.make(try await snapshot(for: user, asking: request.uri.queryParameters))
        }
        group.get("live/instances") { request, context in
            let user = try context.signedInUser()
            let query = request.uri.queryParameters
            // Refused before the stream starts, as a status the browser's EventSource stops on.
            _ = try await snapshot(for: user, asking: query)
            let sessionID = request.cookies[WebSessions.cookieName]?.value
            let body = ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "retry: 3000\n\n"))
                var last: Snapshot?
                let end = ContinuousClock.now + Self.lifetime
                while ContinuousClock.now < end {
                    guard try await isStillSignedIn(user, session: sessionID) else {
                        try await writer.write(ByteBuffer(string: "event: signed-out\ndata: {}\n\n"))
                        break
                    }
                    let now = try await snapshot(for: user, asking: query)
                    if now != last {
                        let json = String(decoding: try JSONEncoder().encode(now), as: UTF8.self)
                        try await writer.write(ByteBuffer(string: "event: states\ndata: \(json)\n\n"))
                        last = now
                    } else {
                        // A comment: keeps proxies from closing a quiet stream, and finds a closed one.
                        try await writer.write(ByteBuffer(string: ": unchanged\n\n"))
                    }
                    try await Task.sleep(for: Self.interval)
                }
                try await writer.finish(nil)
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
                body: body
            )
        }
    }

    /// The instances the query asks for, as far as `user` may see them, with their resource use.
    func snapshot(for user: User, asking query: Parameters) async throws -> Snapshot {
        let views: [InstanceView]
        if let id = query.get("id") {
            let reachable = (try? await access.instance(id, for: user)) != nil
            views = reachable ? (try await instances.view(id)).map { [$0] } ?? [] : []
        } else if query.get("scope") == "all" {
            guard user.admin else { throw APIError(.forbidden, "Only administrators see every instance.") }
            views = try await instances.all()
        } else {
            views = try await instances.reachable(by: user.userID)
        }
        async let samples = instances.usage(of: views)
        async let disks = instances.diskUsage(of: views)
        let (usage, diskUsage) = await (samples, disks)
        return Snapshot(
            instances: views.map { view in
                let sample = usage[view.id]
                let disk = diskUsage[view.id]
                return State(
                    id: view.id,
                    state: InstanceSummary.state(of: view),
                    cpuPercent: sample?.cpuPercent,
                    memoryBytes: sample?.memoryBytes,
                    memoryLimitBytes: sample?.memoryLimitBytes,
                    startedAt: sample?.startedAt,
                    diskBytes: disk?.usedBytes,
                    diskLimitBytes: disk?.limitBytes,
                    diskFull: disk?.isFull
                )
            }
        )
    }

    /// Whether the stream's session still signs this user in: not signed out, not ended by a password change.
    private func isStillSignedIn(_ user: User, session: String?) async throws -> Bool {
        guard let session, try await sessions.exists(id: session), let id = user.id else { return false }
        return try await access.users.find(id: id)?.sessionEpoch == user.sessionEpoch
    }
}
