import AsyncHTTPClient
import BerthProtocol
import Foundation
import NIOCore
import NIOHTTP1

/// Talks to a node's daemon with the node's token. Every call either returns the daemon's answer or
/// throws ``DaemonClientError`` saying whether the daemon could not be reached or refused.
package struct DaemonClient: Sendable {
    let httpClient: HTTPClient

    init(httpClient: HTTPClient = .shared) {
        self.httpClient = httpClient
    }

    func createInstance(_ specification: InstanceSpecification, on node: Node) async throws -> InstanceStatus {
        try await send(.POST, "/api/instances", body: specification, to: node, expecting: InstanceStatus.self)
    }

    /// Deletes the instance on the node; an instance the node does not know is already deleted.
    func deleteInstance(_ id: String, on node: Node) async throws {
        do {
            try await send(.DELETE, "/api/instances/\(id)", body: Optional<String>.none, to: node)
        } catch DaemonClientError.refused(404, _) {
            return
        }
    }

    func setSuspended(_ suspended: Bool, instance id: String, on node: Node) async throws {
        try await send(.POST, "/api/instances/\(id)/suspension", body: SuspensionRequest(suspended: suspended), to: node)
    }

    func power(_ action: PowerAction, instance id: String, on node: Node) async throws -> InstanceStatus {
        try await send(.POST, "/api/instances/\(id)/power", body: PowerRequest(action: action), to: node, expecting: InstanceStatus.self)
    }

    private func send<Answer: Decodable>(
        _ method: HTTPMethod,
        _ path: String,
        body: (some Encodable)?,
        to node: Node,
        expecting: Answer.Type
    ) async throws -> Answer {
        let bytes = try await send(method, path, body: body, to: node)
        do {
            return try JSONDecoder().decode(Answer.self, from: bytes)
        } catch {
            throw DaemonClientError.unreachable("the node answered in a shape this panel does not understand")
        }
    }

    @discardableResult
    private func send(_ method: HTTPMethod, _ path: String, body: (some Encodable)?, to node: Node) async throws -> Data {
        var request = HTTPClientRequest(url: Self.baseURL(of: node) + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(node.token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            // A node that is down refuses connections, and the client retries until this deadline; the
            // daemon answers every call at once (installs run in the background), so it can be short.
            response = try await httpClient.execute(request, timeout: Self.deadline)
            bytes = try await response.body.collect(upTo: 8 << 20)
        } catch {
            throw DaemonClientError.unreachable("\(error)")
        }
        let data = Data(buffer: bytes)
        guard (200..<300).contains(Int(response.status.code)) else {
            let message = (try? JSONDecoder().decode(ErrorBody.self, from: data).error) ?? "status \(response.status.code)"
            throw DaemonClientError.refused(Int(response.status.code), message)
        }
        return data
    }

    static let deadline = TimeAmount.seconds(10)

    package static func baseURL(of node: Node) -> String {
        let host = node.address.contains(":") ? "[\(node.address)]" : node.address
        return "http://\(host):\(node.port)"
    }
}

enum DaemonClientError: Error, Equatable {
    /// No answer: the daemon is down, or the network between us is.
    case unreachable(String)
    /// The daemon answered with an error status and this message.
    case refused(Int, String)

    var message: String {
        switch self {
        case .unreachable(let reason): "the node could not be reached (\(reason))"
        case .refused(_, let message): "the node refused: \(message)"
        }
    }
}
