import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird

/// A file the node sends, passed on to the client as it arrives (the API's download and the web UI's).
package enum DownloadResponse {
    /// The node's download answer as the client's: status, length and range headers, and the body
    /// streamed through as it arrives.
    package static func passing(_ download: HTTPClientResponse, named name: String) -> Response {
        var headers: HTTPFields = [.contentType: "application/octet-stream", .acceptRanges: "bytes"]
        for field in ["Content-Length", "Content-Range"] {
            if let value = download.headers.first(name: field), let name = HTTPField.Name(field) { headers[name] = value }
        }
        headers[.contentDisposition] = attachment(named: name)
        let length = download.headers.first(name: "Content-Length").flatMap(Int.init)
        let body = ResponseBody(contentLength: length) { writer in
            for try await buffer in download.body { try await writer.write(buffer) }
            try await writer.finish(nil)
        }
        return Response(status: .init(code: Int(download.status.code)), headers: headers, body: body)
    }

    /// `Content-Disposition` for a download saved as `name`: an ASCII fallback and the exact name in
    /// RFC 5987 form, so no quote or line break in a tenant's file name reaches the header raw.
    static func attachment(named name: String) -> String {
        let fallback = String(name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        let exact =
            name.addingPercentEncoding(
                withAllowedCharacters: .alphanumerics.intersection(.init(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
            ) ?? ""
        return "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(exact)"
    }
}
