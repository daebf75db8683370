import AsyncHTTPClient
import BerthHTTP
import BerthProtocol
import Foundation
import NIOCore

extension DaemonClient {
    /// `route` for the instance, with `path` as its query item.
    static func filePath(_ route: RoutePath, instance id: String, path: String?) -> String {
        let base = route.path(id: id)
        guard let path else { return base }
        return base + "?path=" + QueryValue.encode(path)
    }

    /// A file's bytes from the node, as a response whose body the caller streams on; `range` is passed
    /// as the client sent it. A refusal is thrown.
    func download(instance id: String, path: String, range: String?, on node: Node) async throws -> HTTPClientResponse {
        try await download(Self.filePath(DaemonRoutes.fileContents, instance: id, path: path), range: range, on: node)
    }

    /// The bytes the node serves at `path` (a file's, a backup's), streamed as ``download(instance:path:range:on:)``.
    func download(_ path: String, range: String?, on node: Node) async throws -> HTTPClientResponse {
        var request = try request(.GET, path, to: node)
        if let range { request.headers.add(name: "Range", value: range) }
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, timeout: Self.deadline)
        } catch {
            throw DaemonClientError.unreachable("\(error)")
        }
        // 416 is an answer about the file, passed on with its Content-Range.
        if !(200..<300).contains(Int(response.status.code)), response.status != .rangeNotSatisfiable {
            let body = (try? await response.body.collect(upTo: 64 << 10)).map { Data(buffer: $0) } ?? Data()
            try Self.check(response.status, body: body)
        }
        return response
    }

    /// Streams `body` to the node as the file at `path`; returns the file as written.
    func upload(instance id: String, path: String, body: HTTPClientRequest.Body, on node: Node) async throws -> VolumeEntry {
        var request = try request(.PUT, Self.filePath(DaemonRoutes.fileContents, instance: id, path: path), to: node)
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        request.body = body
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            // The deadline runs until the node answers, which it does once the whole file is written.
            response = try await httpClient.execute(request, timeout: Self.transferDeadline)
            bytes = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw DaemonClientError.unreachable("\(error)")
        }
        let data = Data(buffer: bytes)
        try Self.check(response.status, body: data)
        return try Self.decode(VolumeEntry.self, from: data)
    }

    /// How long an upload may take, start to end, and a copy, pack, unpack or delete of whole folders on the
    /// node: long enough for a large world on a slow line or a slow disk.
    static let transferDeadline = TimeAmount.hours(6)
}
