import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore

/// The calls Berth makes to a bucket: multipart uploads (whose parts others may send, with requests
/// signed here), downloads and deletions. Every call is signed with the bucket's key; the key itself never
/// leaves this process.
public struct S3Client: Sendable {
    public let bucket: S3Bucket
    private let http: HTTPClient

    /// The largest answer read whole (S3's XML answers are a few hundred bytes).
    private static let answerLimit = 1 << 20
    private static let callTimeout = TimeAmount.seconds(60)

    public init(bucket: S3Bucket, http: HTTPClient = .shared) {
        self.bucket = bucket
        self.http = http
    }

    /// Starts a multipart upload of `key`; its id.
    public func startMultipartUpload(key: String) async throws -> String {
        let answer = try await call(bucket.signedRequest("POST", key: key, query: [("uploads", "")], payloadHash: SigV4Signer.emptyPayload))
        guard let uploadID = S3Answer(answer).values["UploadId"], !uploadID.isEmpty else {
            throw S3Error(status: 200, code: "NoUploadId", message: "the answer to starting an upload held no upload id")
        }
        return uploadID
    }

    /// The request that sends part `number` (from 1) of an upload, for whoever sends its bytes. Parts but
    /// the last must be at least 5 MiB.
    public func partUpload(key: String, uploadID: String, number: Int, at date: Date = Date()) -> SignedRequest {
        bucket.signedRequest("PUT", key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)], at: date)
    }

    /// Joins the parts, given by the ETags their uploads answered, in order, into the object.
    public func completeMultipartUpload(key: String, uploadID: String, etags: [String]) async throws {
        var body = "<CompleteMultipartUpload>"
        for (index, etag) in etags.enumerated() {
            body += "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\(Self.escaped(etag))</ETag></Part>"
        }
        body += "</CompleteMultipartUpload>"
        let bytes = Data(body.utf8)
        let request = bucket.signedRequest(
            "POST",
            key: key,
            query: [("uploadId", uploadID)],
            headers: [("content-type", "application/xml")],
            payloadHash: SigV4Signer.hex(SHA256.hash(data: bytes))
        )
        let answer = try await call(request, body: bytes)
        // S3 may answer 200 and still fail, with the error in the body.
        let parsed = S3Answer(answer)
        if parsed.root == "Error" { throw S3Error(status: 200, body: answer) }
    }

    /// Drops an upload that will not be completed, and the parts it has.
    public func abortMultipartUpload(key: String, uploadID: String) async throws {
        _ = try await call(bucket.signedRequest("DELETE", key: key, query: [("uploadId", uploadID)], payloadHash: SigV4Signer.emptyPayload))
    }

    /// Deletes the object; one that is not there is no error (S3 answers 204 either way).
    public func deleteObject(key: String) async throws {
        _ = try await call(bucket.signedRequest("DELETE", key: key, payloadHash: SigV4Signer.emptyPayload))
    }

    /// The request that reads the object (or the `Range` of it), for whoever fetches its bytes.
    public func objectDownload(key: String, range: String? = nil, at date: Date = Date()) -> SignedRequest {
        bucket.signedRequest("GET", key: key, headers: range.map { [("range", $0)] } ?? [], payloadHash: SigV4Signer.emptyPayload, at: date)
    }

    /// The object's bytes, streamed: 200, or 206 with a `range` (416 for one outside the object). An answer
    /// of any other status is thrown.
    public func get(key: String, range: String? = nil) async throws -> HTTPClientResponse {
        let response = try await send(objectDownload(key: key, range: range), body: nil, timeout: .hours(6))
        guard [.ok, .partialContent, .rangeNotSatisfiable].contains(response.status) else {
            throw S3Error(status: Int(response.status.code), body: Data(try await response.body.collect(upTo: Self.answerLimit).readableBytesView))
        }
        return response
    }

    // MARK: - Sending

    /// Sends a control call and reads its answer whole; a status other than 2xx is thrown as the error the
    /// body names.
    private func call(_ request: SignedRequest, body: Data? = nil) async throws -> Data {
        let response = try await send(request, body: body, timeout: Self.callTimeout)
        let answer = Data(try await response.body.collect(upTo: Self.answerLimit).readableBytesView)
        guard (200..<300).contains(response.status.code) else { throw S3Error(status: Int(response.status.code), body: answer) }
        return answer
    }

    private func send(_ signed: SignedRequest, body: Data?, timeout: TimeAmount) async throws -> HTTPClientResponse {
        do {
            return try await http.execute(signed.clientRequest(body: body), timeout: timeout)
        } catch {
            throw S3Error(status: nil, code: "Unreachable", message: "\(error)")
        }
    }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
