import AsyncHTTPClient
import BerthHTTP
import BerthProtocol
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// Talks to a node's daemon over TLS, trusting only the certificate pinned for the node, and presents the
/// panel's secret for it. Every call either returns the daemon's answer or throws ``DaemonClientError``
/// saying whether the daemon could not be reached, refused, or is not trusted yet.
package struct DaemonClient: Sendable {
    /// The panel's own client (``ClientService``), never one shared with other parts of the process.
    let httpClient: HTTPClient
    /// Opens the node's secret from its row.
    let box: SecretBox

    func createInstance(_ specification: InstanceSpecification, on node: Node) async throws -> InstanceStatus {
        try await send(.POST, "/api/instances", body: specification, to: node, expecting: InstanceStatus.self, deadline: Self.engineDeadline)
    }

    /// Deletes the instance on the node; an instance the node does not know is already deleted.
    func deleteInstance(_ id: String, on node: Node) async throws {
        do {
            try await send(.DELETE, "/api/instances/\(id)", body: Optional<String>.none, to: node, deadline: Self.engineDeadline)
        } catch DaemonClientError.refused(404, _) {
            return
        }
    }

    func setSuspended(_ suspended: Bool, instance id: String, on node: Node) async throws {
        try await send(
            .POST,
            "/api/instances/\(id)/suspension",
            body: SuspensionRequest(suspended: suspended),
            to: node,
            deadline: Self.engineDeadline
        )
    }

    /// Sends the instance's new specification: new limits reach its running container at once (`docker
    /// update`), the rest its next start.
    func reconfigure(_ specification: InstanceSpecification, on node: Node) async throws -> InstanceStatus {
        try await send(
            .PUT,
            "/api/instances/\(specification.id)/specification",
            body: specification,
            to: node,
            expecting: InstanceStatus.self,
            deadline: Self.engineDeadline
        )
    }

    func reinstall(instance id: String, wipingFiles: Bool, on node: Node) async throws -> InstanceStatus {
        try await send(
            .POST,
            "/api/instances/\(id)/reinstall",
            body: ReinstallRequest(wipe: wipingFiles),
            to: node,
            expecting: InstanceStatus.self,
            deadline: Self.engineDeadline
        )
    }

    func power(_ action: PowerAction, instance id: String, on node: Node) async throws -> InstanceStatus {
        try await send(
            .POST,
            "/api/instances/\(id)/power",
            body: PowerRequest(action: action),
            to: node,
            expecting: InstanceStatus.self,
            deadline: Self.engineDeadline
        )
    }

    /// The instance's status as its node has it; ``DaemonClientError/refused(_:_:)`` 404 when the node has no such instance.
    func status(of id: String, on node: Node) async throws -> InstanceStatus {
        try await send(.GET, DaemonRoutes.instance.path(id: id), body: Optional<String>.none, to: node, expecting: InstanceStatus.self)
    }

    /// The latest resource use of each running instance on the node, by id.
    func usage(on node: Node) async throws -> [String: ResourceSample] {
        try await send(.GET, DaemonRoutes.usage.pattern, body: Optional<String>.none, to: node, expecting: [String: ResourceSample].self)
    }

    /// What the files of each instance on the node take, by id (of its disk limit, where it has one).
    func diskUsage(on node: Node) async throws -> [String: DiskUsage] {
        try await send(.GET, DaemonRoutes.disks.pattern, body: Optional<String>.none, to: node, expecting: [String: DiskUsage].self)
    }

    func send<Answer: Decodable>(
        _ method: HTTPMethod,
        _ path: String,
        body: (some Encodable)?,
        to node: Node,
        expecting: Answer.Type,
        deadline: TimeAmount = deadline
    ) async throws -> Answer {
        try Self.decode(Answer.self, from: try await send(method, path, body: body, to: node, deadline: deadline))
    }

    /// The node's answer read as `Answer`; one this panel cannot read counts as no answer.
    static func decode<Answer: Decodable>(_ type: Answer.Type, from bytes: Data) throws -> Answer {
        do {
            return try JSONDecoder().decode(Answer.self, from: bytes)
        } catch {
            throw DaemonClientError.unreachable("the node answered in a shape this panel does not understand")
        }
    }

    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, body: (some Encodable)?, to node: Node, deadline: TimeAmount = deadline) async throws -> Data {
        var request = try request(method, path, to: node)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            // A node that is down refuses the connection at once; the deadline is for one that is up but
            // does not answer.
            response = try await httpClient.execute(request, timeout: deadline)
            bytes = try await response.body.collect(upTo: 8 << 20)
        } catch {
            throw DaemonClientError.unreachable("\(error)")
        }
        let data = Data(buffer: bytes)
        try Self.check(response.status, body: data)
        return data
    }

    /// A request to the node's daemon at `path`, over its pinned TLS channel, with the node's token.
    func request(_ method: HTTPMethod, _ path: String, to node: Node) throws -> HTTPClientRequest {
        let channel = try Self.channel(to: node)
        var request = HTTPClientRequest(url: channel.baseURL + path)
        request.tlsConfiguration = channel.tls
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(try node.token(openedWith: box))")
        return request
    }

    /// Throws the daemon's refusal, with its message, unless `status` is a success.
    static func check(_ status: HTTPResponseStatus, body: Data) throws {
        guard !(200..<300).contains(Int(status.code)) else { return }
        let message = (try? JSONDecoder().decode(ErrorBody.self, from: body).error) ?? "status \(status.code)"
        throw DaemonClientError.refused(Int(status.code), message)
    }

    /// For calls the daemon answers from what it knows (state, usage, listings).
    static let deadline = TimeAmount.seconds(10)
    /// For calls the daemon answers once Docker has done its part (create, start, update, remove a
    /// container), which a busy engine takes many seconds for; a node given up on too early would be
    /// reported unreachable while it goes on to do what it was asked.
    static let engineDeadline = TimeAmount.seconds(90)

    /// Where the node's daemon answers and how to know it is the node: its `https` URL and a TLS
    /// configuration that trusts its pinned certificate alone. Throws for a node the panel does not trust
    /// (no certificate pinned yet, or another one offered since), which is sent nothing.
    package static func channel(to node: Node) throws -> (baseURL: String, tls: TLSConfiguration) {
        guard let pinned = node.pinnedCertificate else {
            throw DaemonClientError.untrusted(
                "the node has not presented its TLS certificate in a heartbeat yet, so the panel does not trust it; start its daemon"
            )
        }
        guard node.offeredCertificate == nil else {
            throw DaemonClientError.untrusted(
                "the node presents a TLS certificate other than the one pinned for it; an admin must compare and accept it on the Nodes page"
            )
        }
        let host = node.address.contains(":") ? "[\(node.address)]" : node.address
        do {
            return ("https://\(host):\(node.port)", try pinned.clientConfiguration())
        } catch {
            throw DaemonClientError.untrusted("the certificate pinned for the node cannot be used: \(error)")
        }
    }
}

package enum DaemonClientError: Error, Equatable {
    /// No answer: the daemon is down, or the network between us is.
    case unreachable(String)
    /// The daemon answered with an error status and this message.
    case refused(Int, String)
    /// The panel does not trust the node (no pinned certificate, or a changed one) and sent it nothing.
    case untrusted(String)

    package var message: String {
        switch self {
        case .unreachable(let reason): "the node could not be reached (\(reason))"
        case .refused(_, let message): "the node refused: \(message)"
        case .untrusted(let reason): "the node is not trusted: \(reason)"
        }
    }

    /// What the panel answers when `what` failed so: a node that did not answer is unavailable (503, try
    /// again), one that refused or is not trusted failed (502).
    func failing(_ what: String) -> PanelError {
        if case .unreachable = self { return .nodeUnavailable("\(what): \(message)") }
        return .nodeFailed("\(what): \(message)")
    }
}
