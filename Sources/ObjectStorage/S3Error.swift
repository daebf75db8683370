import Foundation

/// What an S3-compatible service refused, in its own words (`SignatureDoesNotMatch`, `NoSuchKey`, …), or a
/// failure to reach it.
public struct S3Error: Error, CustomStringConvertible, Sendable {
    /// The HTTP status, or nil when no answer came.
    public let status: Int?
    public let code: String
    public let message: String

    public init(status: Int?, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// The error an answer's body describes (S3's `<Error><Code>…</Code><Message>…</Message></Error>`).
    public init(status: Int, body: Data) {
        let answer = S3Answer(body)
        self.init(
            status: status,
            code: answer.values["Code"] ?? "HTTP\(status)",
            message: answer.values["Message"] ?? String(decoding: body.prefix(200), as: UTF8.self)
        )
    }

    public var description: String {
        let message = message.isEmpty ? "" : ": \(message)"
        guard let status else { return "the object storage could not be reached (\(code))\(message)" }
        return "the object storage answered \(status) \(code)\(message)"
    }
}
