import AsyncHTTPClient
import Foundation
import ObjectStorage

extension SignedRequest {
    /// Sends the request as a node would: with nothing of the key, only the request's own headers.
    public func send(body: Data?) async throws -> HTTPClientResponse {
        try await HTTPClient.shared.execute(clientRequest(body: body), timeout: .seconds(60))
    }
}
