import AsyncHTTPClient
import Foundation
import NIOCore

/// A bucket of an S3-compatible service, addressed path-style (`endpoint/bucket/key`), as AWS, MinIO,
/// Ceph, R2, B2 and Wasabi all answer it.
public struct S3Bucket: Sendable {
    /// Scheme, host and port: `https://s3.eu-central-1.amazonaws.com`, `http://127.0.0.1:9000`.
    public let endpoint: URL
    public let name: String
    public let signer: SigV4Signer

    public init(endpoint: String, name: String, region: String, credentials: S3Credentials) throws(S3ConfigurationError) {
        guard let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty, url.path.isEmpty || url.path == "/", url.query == nil, url.user == nil
        else {
            throw S3ConfigurationError("the endpoint must be an http(s) URL with no path, such as https://s3.eu-central-1.amazonaws.com")
        }
        // S3's rules for new buckets, which also keep the name one path segment.
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
        guard (3...63).contains(name.count), name.allSatisfy(allowed.contains), name.first != "-", name.first != ".",
            name.last != "-", name.last != "."
        else {
            throw S3ConfigurationError("the bucket name must be 3 to 63 lowercase letters, digits, dots and hyphens")
        }
        guard !region.isEmpty, region.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
            throw S3ConfigurationError("the region must be a name such as us-east-1")
        }
        guard !credentials.accessKeyID.isEmpty, !credentials.secretAccessKey.isEmpty else {
            throw S3ConfigurationError("the access key id and secret must not be empty")
        }
        var components = URLComponents()
        components.scheme = scheme
        components.host = host
        // A default port is left out of the Host header, as clients send it and signers sign it.
        components.port = url.port == (scheme == "https" ? 443 : 80) ? nil : url.port
        guard let endpoint = components.url else { throw S3ConfigurationError("the endpoint \(endpoint) is not a URL") }
        self.endpoint = endpoint
        self.name = name
        self.signer = SigV4Signer(credentials: credentials, region: region)
    }

    /// `host` or `host:port`, as the `Host` header is signed and sent.
    var hostHeader: String {
        guard let host = endpoint.host else { return "" }
        return endpoint.port.map { "\(host):\($0)" } ?? host
    }

    /// A request about the object at `key`, signed at `date`; it is good for 15 minutes from then.
    public func signedRequest(
        _ method: String,
        key: String,
        query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [],
        payloadHash: String = SigV4Signer.unsignedPayload,
        at date: Date = Date()
    ) -> SignedRequest {
        let request = SignableRequest(
            method: method,
            host: hostHeader,
            path: "/\(name)/\(key)",
            query: query,
            headers: headers,
            payloadHash: payloadHash
        )
        var url = endpoint.absoluteString
        if url.hasSuffix("/") { url.removeLast() }
        url += SigV4Signer.encodedPath(request.path)
        if !query.isEmpty { url += "?" + SigV4Signer.canonicalQuery(query) }
        return SignedRequest(method: method, url: url, headers: signer.sign(request, at: date))
    }
}

/// A request ready to send as it is: whoever holds it can make this one request, for 15 minutes, and
/// nothing else (the key that signed it stays with the signer).
public struct SignedRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]

    public init(method: String, url: String, headers: [(name: String, value: String)]) {
        self.method = method
        self.url = url
        self.headers = headers
    }
}

extension SignedRequest {
    /// The request as AsyncHTTPClient sends it, with `body`.
    public func clientRequest(body: Data? = nil) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        return request
    }
}

/// Settings that cannot address a bucket.
public struct S3ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
