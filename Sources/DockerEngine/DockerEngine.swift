import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// A typed async client for the Docker Engine API.
///
/// REST calls and long streams (logs, stats, events, pulls) go through AsyncHTTPClient;
/// attaching with stdin needs a hijacked connection, which ``withAttachment(to:_:)`` makes with SwiftNIO.
/// Call ``shutdown()`` when done.
public final class DockerEngine: Sendable {
    /// The API version every request names, so engines newer than ours answer in the shape we read.
    /// 1.41 is Docker 20.10, the oldest engine Debian stable ships; newer engines still serve it.
    public static let apiVersion = "1.41"

    public let host: DockerHost
    /// Plain requests: answered at once, so a few pooled connections serve them all.
    let httpClient: HTTPClient
    /// Streams and waits (`logs?follow`, `stats`, `events`, `wait`, pulls): each holds its connection for as
    /// long as the container runs, so they get a pool without a practical limit. In one pool with the plain
    /// requests, eight running instances' stats streams took every connection and the ninth start timed out.
    let streamClient: HTTPClient
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger

    /// How long a plain request may wait for the engine's answer to begin. Streams and waits have no limit.
    let requestDeadline: TimeAmount = .seconds(60)

    public init(host: DockerHost, logger: Logger = Logger(label: "berth.docker")) {
        self.host = host
        self.logger = logger
        self.eventLoopGroup = MultiThreadedEventLoopGroup.singleton
        var configuration = HTTPClient.Configuration()
        // No read timeout: `logs?follow`, `stats`, `events` and `wait` stay silent for as long as they like.
        configuration.timeout = .init(connect: .seconds(5), read: nil)
        configuration.decompression = .disabled
        self.httpClient = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: configuration)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: Self.streamLimit)
        self.streamClient = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: configuration)
    }

    /// Streams one engine may carry at once: far above the instances one node runs (each holds one or two).
    static let streamLimit = 100_000

    /// Closes the client's connections. The engine itself keeps running.
    public func shutdown() async throws {
        try await httpClient.shutdown()
        try await streamClient.shutdown()
    }

    // MARK: - Requests

    /// Sends a request and returns the response once its head arrived; the body is left to stream.
    /// Without a deadline it is a stream or a wait, and goes through ``streamClient``.
    func send(
        _ method: HTTPMethod,
        _ path: String,
        query: [(String, String)] = [],
        body: (some Encodable & Sendable)? = Optional<EmptyObject>.none,
        headers extraHeaders: [(String, String)] = [],
        deadline: TimeAmount? = nil
    ) async throws -> HTTPClientResponse {
        try checkSocketExists()
        var request = HTTPClientRequest(url: url(path, query: query))
        request.method = method
        // AsyncHTTPClient sends no Host header on unix sockets, and dockerd refuses requests without one.
        request.headers.add(name: "Host", value: "docker")
        for (name, value) in extraHeaders {
            request.headers.add(name: name, value: value)
        }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder.docker.encode(body)))
        }
        let response: HTTPClientResponse
        do {
            if let deadline {
                response = try await httpClient.execute(request, timeout: deadline, logger: logger)
            } else {
                response = try await streamClient.execute(request, deadline: .distantFuture, logger: logger)
            }
        } catch let error as CancellationError {
            throw error
        } catch {
            throw DockerEngineError.engineUnavailable(host: host.description, reason: String(describing: error))
        }
        guard (200..<400).contains(Int(response.status.code)) else {
            let bytes = try await collect(response.body)
            throw DockerEngineError.fromResponse(status: Int(response.status.code), body: bytes)
        }
        return response
    }

    /// Sends a request and decodes its JSON answer.
    func decode<Answer: Decodable>(
        _ type: Answer.Type,
        _ method: HTTPMethod,
        _ path: String,
        query: [(String, String)] = [],
        body: (some Encodable & Sendable)? = Optional<EmptyObject>.none
    ) async throws -> Answer {
        let response = try await send(method, path, query: query, body: body, deadline: requestDeadline)
        let bytes = try await collect(response.body)
        do {
            return try JSONDecoder.docker.decode(Answer.self, from: Data(bytes))
        } catch {
            throw DockerEngineError.malformedResponse(reason: "\(path): \(error)")
        }
    }

    /// Sends a request whose answer carries nothing we need, and returns its status code.
    @discardableResult
    func perform(
        _ method: HTTPMethod,
        _ path: String,
        query: [(String, String)] = [],
        body: (some Encodable & Sendable)? = Optional<EmptyObject>.none,
        deadline: TimeAmount? = nil
    ) async throws -> Int {
        let response = try await send(method, path, query: query, body: body, deadline: deadline ?? requestDeadline)
        _ = try await collect(response.body)
        return Int(response.status.code)
    }

    /// A missing socket file means no engine; say so at once rather than retrying until the connect timeout.
    func checkSocketExists() throws {
        if case .unixSocket(let path) = host, !FileManager.default.fileExists(atPath: path) {
            throw DockerEngineError.engineUnavailable(host: host.description, reason: "the socket \(path) does not exist")
        }
    }

    func collect(_ body: HTTPClientResponse.Body) async throws -> [UInt8] {
        do {
            let buffer = try await body.collect(upTo: 64 * 1024 * 1024)
            return Array(buffer.readableBytesView)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw DockerEngineError.engineUnavailable(host: host.description, reason: String(describing: error))
        }
    }

    func url(_ path: String, query: [(String, String)]) -> String {
        host.baseURL + requestTarget(path, query: query)
    }

    /// The request target used on a raw connection (attach), without scheme and host.
    func requestTarget(_ path: String, query: [(String, String)]) -> String {
        var components = URLComponents()
        components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        let queryString = components.percentEncodedQuery.map { "?" + $0 } ?? ""
        return "/v\(Self.apiVersion)" + path + queryString
    }
}

/// An empty JSON object, as Docker wants for each entry of `ExposedPorts`.
public struct EmptyObject: Codable, Sendable, Equatable {
    public init() {}
}

extension JSONEncoder {
    static var docker: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

extension JSONDecoder {
    static var docker: JSONDecoder { JSONDecoder() }
}

/// Docker filters are a JSON object of arrays, passed in the query string.
func filtersQuery(_ filters: [String: [String]]) -> (String, String) {
    let data = (try? JSONEncoder().encode(filters)) ?? Data("{}".utf8)
    return ("filters", String(decoding: data, as: UTF8.self))
}

extension Bool {
    var queryValue: String { self ? "1" : "0" }
}
