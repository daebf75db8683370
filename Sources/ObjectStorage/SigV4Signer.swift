import Crypto
import Foundation

/// The keys an S3-compatible service knows a client by.
public struct S3Credentials: Sendable, Equatable {
    public var accessKeyID: String
    public var secretAccessKey: String

    public init(accessKeyID: String, secretAccessKey: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
    }
}

/// A request as AWS Signature Version 4 sees it: the path and query unencoded (the signer encodes them
/// once, for the signature and the URL alike, so the two cannot differ).
public struct SignableRequest: Sendable {
    public var method: String
    /// `host` or `host:port`, as the `Host` header carries it.
    public var host: String
    /// Unencoded, starting with `/`.
    public var path: String
    public var query: [(name: String, value: String)]
    /// Headers to sign besides `host`, `x-amz-date` and `x-amz-content-sha256`.
    public var headers: [(name: String, value: String)]
    /// The body's SHA-256 in lowercase hex, or ``SigV4Signer/unsignedPayload``.
    public var payloadHash: String

    public init(
        method: String,
        host: String,
        path: String,
        query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [],
        payloadHash: String = SigV4Signer.unsignedPayload
    ) {
        self.method = method
        self.host = host
        self.path = path
        self.query = query
        self.headers = headers
        self.payloadHash = payloadHash
    }
}

/// AWS Signature Version 4 with the signature in the `Authorization` header, as S3 and the services that
/// speak its protocol (MinIO, Ceph, R2, B2, Wasabi) check it. A signed request is good for 15 minutes from
/// the time it carries.
public struct SigV4Signer: Sendable {
    public var credentials: S3Credentials
    public var region: String
    public var service: String

    /// The payload hash of a request whose body is not part of its signature (S3 accepts it over TLS and
    /// for parts whose integrity is checked otherwise).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// SHA-256 of no bytes.
    public static let emptyPayload = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The headers to send the request with: its own, `host`, `x-amz-date`, `x-amz-content-sha256` and
    /// `authorization`.
    public func sign(_ request: SignableRequest, at date: Date) -> [(name: String, value: String)] {
        let stamp = Self.timestamp(date)
        var headers = request.headers.map { (name: $0.name.lowercased(), value: Self.trimmed($0.value)) }
        headers += [("host", request.host), ("x-amz-content-sha256", request.payloadHash), ("x-amz-date", stamp)]
        headers.sort { $0.name < $1.name }
        let signedHeaders = headers.map(\.name).joined(separator: ";")
        let canonicalRequest = [
            request.method,
            Self.encodedPath(request.path),
            Self.canonicalQuery(request.query),
            headers.map { "\($0.name):\($0.value)\n" }.joined(),
            signedHeaders,
            request.payloadHash,
        ].joined(separator: "\n")
        let scope = "\(stamp.prefix(8))/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", stamp, scope, Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8)))]
            .joined(separator: "\n")
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: signingKey(day: String(stamp.prefix(8)))))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return headers + [("authorization", authorization)]
    }

    private func signingKey(day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    // MARK: - Canonical forms

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ",
            parts.year ?? 0,
            parts.month ?? 0,
            parts.day ?? 0,
            parts.hour ?? 0,
            parts.minute ?? 0,
            parts.second ?? 0
        )
    }

    /// Every byte but the unreserved ones (`A-Z a-z 0-9 - . _ ~`) as `%XX`; `/` kept in paths.
    static func encoded(_ text: String, keepingSlashes: Bool = false) -> String {
        var result = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) || (keepingSlashes && byte == UInt8(ascii: "/")) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }

    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

    /// The path as S3 signs it: each segment encoded once.
    public static func encodedPath(_ path: String) -> String {
        path.isEmpty ? "/" : encoded(path, keepingSlashes: true)
    }

    /// The query as signed and sent: names and values encoded, sorted by name, then value.
    public static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        let pairs: [(name: String, value: String)] = query.map { (encoded($0.name), encoded($0.value)) }
        let sorted = pairs.sorted { left, right in left.name == right.name ? left.value < right.value : left.name < right.name }
        return sorted.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
    }

    /// A header value as signed: without surrounding blanks, inner runs of spaces as one.
    private static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
