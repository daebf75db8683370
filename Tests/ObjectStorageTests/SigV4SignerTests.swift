import BerthTestSupport
import Foundation
import Testing

@testable import ObjectStorage

@Suite("SigV4 signatures")
struct SigV4SignerTests {
    /// AWS's own example keys and time (the S3 API reference, "Signature Calculations for the Authorization
    /// Header").
    static let example = SigV4Signer(
        credentials: S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1"
    )
    static let exampleTime = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z

    @Test("AWS's published GET Object example signs to its published signature")
    func publishedGetObject() {
        let headers = Self.example.sign(
            SignableRequest(
                method: "GET",
                host: "examplebucket.s3.amazonaws.com",
                path: "/test.txt",
                headers: [("Range", "bytes=0-9")],
                payloadHash: SigV4Signer.emptyPayload
            ),
            at: Self.exampleTime
        )
        #expect(
            Self.value(of: "authorization", in: headers)
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        )
        #expect(Self.value(of: "x-amz-date", in: headers) == "20130524T000000Z")
    }

    @Test("AWS's published PUT Object example, a key with a character to encode, signs to its published signature")
    func publishedPutObject() {
        let headers = Self.example.sign(
            SignableRequest(
                method: "PUT",
                host: "examplebucket.s3.amazonaws.com",
                path: "/test$file.text",
                headers: [("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
                payloadHash: "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
            ),
            at: Self.exampleTime
        )
        #expect(
            Self.value(of: "authorization", in: headers)?.hasSuffix(
                "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
                    + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
            ) == true
        )
    }

    /// The requests Berth makes, and keys and queries with every kind of character, signed by botocore
    /// (scripts/lib/sigv4-reference.py) and by us at the same time: the same Authorization header each.
    @Test("signatures match botocore's for the requests backups make and for awkward keys and queries")
    func matchesBotocore() async throws {
        let server = try TestS3Server.fromEnvironment()
        let signer = SigV4Signer(
            credentials: S3Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            region: "eu-central-1"
        )
        let time = Date(timeIntervalSince1970: 1_796_000_123)
        let requests: [SignableRequest] = [
            SignableRequest(
                method: "POST",
                host: "127.0.0.1:9000",
                path: "/berth/backups/0b6c/4e1f.tar.zst",
                query: [("uploads", "")],
                payloadHash: SigV4Signer.emptyPayload
            ),
            SignableRequest(
                method: "PUT",
                host: "127.0.0.1:9000",
                path: "/berth/backups/0b6c/4e1f.tar.zst",
                query: [("uploadId", "2~abc/DEF+ghi="), ("partNumber", "12")]
            ),
            SignableRequest(
                method: "POST",
                host: "s3.eu-central-1.amazonaws.com",
                path: "/berth/a.tar.zst",
                query: [("uploadId", "x y")],
                headers: [("Content-Type", "application/xml")],
                payloadHash: String(repeating: "ab", count: 32)
            ),
            SignableRequest(
                method: "GET",
                host: "s3.example.com",
                path: "/berth/a b/ü+é/~x!*'();:@&=$,?#[].tar",
                headers: [("Range", "bytes=100-")],
                payloadHash: SigV4Signer.emptyPayload
            ),
            SignableRequest(method: "DELETE", host: "minio.local:8443", path: "/berth/%2F already encoded", payloadHash: SigV4Signer.emptyPayload),
            SignableRequest(method: "GET", host: "s3.example.com", path: "/berth", query: [("prefix", "a/b c"), ("list-type", "2"), ("a", "=&?")]),
        ]
        let input = requests.map { request -> [String: Any] in
            [
                "method": request.method, "scheme": "https", "host": request.host, "path": request.path,
                "query": request.query.map { [$0.name, $0.value] }, "headers": request.headers.map { [$0.name, $0.value] },
                "payloadHash": request.payloadHash, "time": time.timeIntervalSince1970,
                "accessKeyId": signer.credentials.accessKeyID, "secret": signer.credentials.secretAccessKey, "region": signer.region,
            ]
        }
        let expected = try await server.runPython("scripts/lib/sigv4-reference.py", input: try JSONSerialization.data(withJSONObject: input))
            .split(separator: "\n").map(String.init)
        #expect(expected.count == requests.count)
        for (request, botocore) in zip(requests, expected) {
            #expect(Self.value(of: "authorization", in: signer.sign(request, at: time)) == botocore, "\(request.method) \(request.path)")
        }
    }

    @Test("a changed secret, region, time or path changes the signature")
    func signatureCoversEverything() {
        let request = SignableRequest(method: "GET", host: "h", path: "/b/k")
        let time = Date(timeIntervalSince1970: 1_796_000_000)
        let base = Self.value(of: "authorization", in: Self.example.sign(request, at: time))
        var otherSecret = Self.example
        otherSecret.credentials.secretAccessKey += "x"
        var otherRegion = Self.example
        otherRegion.region = "eu-west-1"
        var otherPath = request
        otherPath.path = "/b/K"
        let others = [
            otherSecret.sign(request, at: time), otherRegion.sign(request, at: time), Self.example.sign(request, at: time + 1),
            Self.example.sign(otherPath, at: time),
        ]
        for headers in others { #expect(Self.value(of: "authorization", in: headers) != base) }
    }

    @Test("encoding keeps only the unreserved characters, and slashes in paths")
    func encoding() {
        #expect(SigV4Signer.encodedPath("/a b/ü~-_.") == "/a%20b/%C3%BC~-_.")
        #expect(SigV4Signer.canonicalQuery([("b", "x/y"), ("a", ""), ("a", "+")]) == "a=&a=%2B&b=x%2Fy")
    }

    static func value(of name: String, in headers: [(name: String, value: String)]) -> String? {
        headers.first { $0.name == name }?.value
    }
}
