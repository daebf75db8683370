import AsyncHTTPClient
import BerthTestSupport
import Foundation
import NIOCore
import Testing

@testable import ObjectStorage

/// Against the real S3-compatible server `scripts/test` starts (moto with its signature checks on).
@Suite("S3 client")
struct S3ClientTests {
    let server: TestS3Server
    let client: S3Client

    init() throws {
        server = try TestS3Server.fromEnvironment()
        client = S3Client(bucket: try Self.bucket(of: server, secret: server.secretAccessKey))
    }

    static func bucket(of server: TestS3Server, secret: String) throws -> S3Bucket {
        try S3Bucket(
            endpoint: server.endpoint,
            name: server.bucket,
            region: "us-east-1",
            credentials: S3Credentials(accessKeyID: server.accessKeyID, secretAccessKey: secret)
        )
    }

    @Test("a multipart upload whose parts another sends with the signed requests reads back byte for byte, whole and in ranges")
    func multipartRoundTrip() async throws {
        let key = "tests/\(UUID().uuidString)/backup.tar.zst"
        let first = Data((0..<(5 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) })
        let second = Data("the last part may be small".utf8)
        let uploadID = try await client.startMultipartUpload(key: key)
        var etags: [String] = []
        for (number, part) in [first, second].enumerated() {
            let response = try await client.partUpload(key: key, uploadID: uploadID, number: number + 1).send(body: part)
            #expect(response.status == .ok)
            etags.append(try #require(response.headers.first(name: "ETag")))
        }
        try await client.completeMultipartUpload(key: key, uploadID: uploadID, etags: etags)

        let whole = try await client.get(key: key)
        #expect(Data(buffer: try await whole.body.collect(upTo: 16 << 20)) == first + second)
        let range = try await client.get(key: key, range: "bytes=\(first.count - 2)-\(first.count + 2)")
        #expect(range.status == .partialContent)
        #expect(Data(buffer: try await range.body.collect(upTo: 100)) == (first + second).subdata(in: (first.count - 2)..<(first.count + 3)))
        // Another's GET, with the request the client signs for it.
        let fetched = try await client.objectDownload(key: key).send(body: nil)
        #expect(Data(buffer: try await fetched.body.collect(upTo: 16 << 20)).count == first.count + second.count)

        try await client.deleteObject(key: key)
        let gone = await #expect(throws: S3Error.self) { try await client.get(key: key) }
        #expect(gone?.code == "NoSuchKey")
        #expect(gone?.status == 404)
        // Deleting what is not there is no error.
        try await client.deleteObject(key: key)
    }

    @Test("a wrong secret is refused, and a signed part request cannot be turned into another part's")
    func wrongSignaturesRefused() async throws {
        let key = "tests/\(UUID().uuidString)/refused"
        let stranger = S3Client(bucket: try Self.bucket(of: server, secret: server.secretAccessKey + "x"))
        let refused = await #expect(throws: S3Error.self) { try await stranger.startMultipartUpload(key: key) }
        #expect(refused?.code == "SignatureDoesNotMatch")
        #expect(refused?.status == 403)

        let uploadID = try await client.startMultipartUpload(key: key)
        var signed = client.partUpload(key: key, uploadID: uploadID, number: 1)
        signed.url = signed.url.replacingOccurrences(of: "partNumber=1", with: "partNumber=2")
        let altered = try await signed.send(body: Data("x".utf8))
        #expect(altered.status == .forbidden)
        let strangers = try await stranger.partUpload(key: key, uploadID: uploadID, number: 1).send(body: Data("x".utf8))
        #expect(strangers.status == .forbidden)

        try await client.abortMultipartUpload(key: key, uploadID: uploadID)
        // Gone: AWS answers 404 NoSuchUpload, moto an error of its own; neither takes the part.
        let afterAbort = try await client.partUpload(key: key, uploadID: uploadID, number: 1).send(body: Data("x".utf8))
        #expect(!(200..<300).contains(afterAbort.status.code))
    }

    @Test("settings that cannot address a bucket are refused with the reason")
    func settingsChecked() {
        let credentials = S3Credentials(accessKeyID: "a", secretAccessKey: "b")
        #expect(throws: S3ConfigurationError.self) { try S3Bucket(endpoint: "ftp://x", name: "berth", region: "us-east-1", credentials: credentials) }
        #expect(throws: S3ConfigurationError.self) {
            try S3Bucket(endpoint: "https://x/path", name: "berth", region: "us-east-1", credentials: credentials)
        }
        #expect(throws: S3ConfigurationError.self) {
            try S3Bucket(endpoint: "https://x", name: "Berth/..", region: "us-east-1", credentials: credentials)
        }
        #expect(throws: S3ConfigurationError.self) { try S3Bucket(endpoint: "https://x", name: "berth", region: "", credentials: credentials) }
        #expect(throws: S3ConfigurationError.self) {
            try S3Bucket(endpoint: "https://x", name: "berth", region: "us-east-1", credentials: S3Credentials(accessKeyID: "", secretAccessKey: "b"))
        }
    }
}
