import ConfinedFiles
import HTTPTypes
import Hummingbird
import NIOCore

/// A file sent as a download: whole, or the one range a `Range` header asks for (so an interrupted
/// download resumes), read and sent in pieces so a large file never sits in memory.
enum FileDownload {
    /// Pieces a download is read and sent in.
    static let chunkSize = 256 << 10

    static func response(for file: OpenFile, request: Request) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/octet-stream", .acceptRanges: "bytes"]
        let range: ByteRange
        var status = HTTPResponse.Status.ok
        switch ByteRange.parse(request.headers[.range], size: file.size) {
        case .whole:
            range = ByteRange(first: 0, last: file.size - 1)
        case .part(let part):
            range = part
            status = .partialContent
            headers[.contentRange] = "bytes \(part.first)-\(part.last)/\(file.size)"
        case .unsatisfiable:
            headers[.contentRange] = "bytes */\(file.size)"
            return Response(status: .rangeNotSatisfiable, headers: headers)
        }
        let length = max(0, range.count)
        headers[.contentLength] = String(length)
        let body = ResponseBody(contentLength: Int(length)) { writer in
            var offset = range.first
            while offset <= range.last {
                let count = Int(min(Int64(chunkSize), range.last - offset + 1))
                // Read straight into the buffer that is sent: no copy between.
                var piece = ByteBufferAllocator().buffer(capacity: count)
                let read = try piece.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { bytes in
                    try file.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: bytes[0..<count]))
                }
                if read == 0 { break }
                try await writer.write(piece)
                offset += Int64(read)
            }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }
}
