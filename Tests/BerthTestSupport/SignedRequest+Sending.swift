import AsyncHTTPClient
import Foundation
import NIOCore
import ObjectStorage

extension SignedRequest {
    /// Sends the request as a node would: with nothing of the key, only the request's own headers.
    public func send(body: Data?) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        return try await HTTPClient.shared.execute(request, timeout: .seconds(60))
    }
}
