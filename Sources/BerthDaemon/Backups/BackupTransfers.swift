import AsyncHTTPClient
import BerthProtocol
import ConfinedFiles
import Foundation
import NIOCore
import ObjectStorage

/// Moves backup archives between this node and object storage, with requests the panel signed: the node
/// sends exactly those requests and never holds the bucket's key. Bytes are streamed a piece at a time,
/// never held whole.
struct BackupTransfers: Sendable {
    let http: HTTPClient

    /// Bytes read from the archive per piece sent.
    static let pieceSize = 1 << 20

    /// Sends each part of `file`; the ETags object storage answered, in order.
    func upload(_ file: OpenFile, parts: [BackupUpload.Part]) async throws -> [String] {
        var etags: [String] = []
        for part in parts {
            guard part.offset >= 0, part.length >= 0, part.offset + part.length <= file.size else {
                throw BackupError.storage("part \(part.number) lies outside the \(file.size)-byte archive")
            }
            var request = try Self.request(part.request)
            request.body = .stream(FilePieces(file: file, offset: part.offset, end: part.offset + part.length), length: .known(part.length))
            let response = try await send(request, what: "part \(part.number)")
            guard let etag = response.headers.first(name: "ETag") else {
                throw BackupError.storage("object storage answered part \(part.number) without an ETag")
            }
            etags.append(etag)
        }
        return etags
    }

    /// Streams the object `request` fetches into `writer`, refusing more than `limit` bytes.
    func fetch(_ request: ObjectRequest, into writer: FileWriter, limit: Int64) async throws {
        let response = try await send(try Self.request(request), what: "the archive")
        do {
            for try await buffer in response.body {
                guard writer.written + Int64(buffer.readableBytes) <= limit else {
                    throw BackupError.storage("object storage sent more than the backup's \(limit) bytes")
                }
                try buffer.withUnsafeReadableBytes { try writer.append($0) }
            }
        } catch let error as BackupError {
            throw error
        } catch let error as ConfinedFileError {
            throw error
        } catch {
            throw BackupError.storage("fetching the archive from object storage broke off after \(writer.written) bytes: \(error)")
        }
    }

    /// Sends a request; an answer other than 2xx is thrown with what object storage said of it.
    private func send(_ request: HTTPClientRequest, what: String) async throws -> HTTPClientResponse {
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .hours(6))
        } catch {
            throw BackupError.storage("object storage could not be reached for \(what): \(error)")
        }
        guard (200..<300).contains(response.status.code) else {
            let body = (try? await response.body.collect(upTo: 64 << 10)).map { Data($0.readableBytesView) } ?? Data()
            throw BackupError.storage("\(what) was refused: \(S3Error(status: Int(response.status.code), body: body))")
        }
        return response
    }

    private static func request(_ object: ObjectRequest) throws -> HTTPClientRequest {
        guard let url = URL(string: object.url), ["http", "https"].contains(url.scheme?.lowercased() ?? "") else {
            throw BackupError.storage("\(object.url) is not an http(s) URL")
        }
        var request = HTTPClientRequest(url: object.url)
        request.method = .init(rawValue: object.method)
        for (name, value) in object.headers { request.headers.add(name: name, value: value) }
        return request
    }
}

/// A range of an open file as pieces to send, read as they are asked for.
struct FilePieces: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let file: OpenFile
    let offset: Int64
    let end: Int64

    struct AsyncIterator: AsyncIteratorProtocol {
        let file: OpenFile
        var offset: Int64
        let end: Int64

        mutating func next() async throws -> ByteBuffer? {
            guard offset < end else { return nil }
            let bytes = try file.read(at: offset, upTo: Int(Swift.min(Int64(BackupTransfers.pieceSize), end - offset)))
            guard !bytes.isEmpty else { throw BackupError.storage("the archive ended before its part did") }
            offset += Int64(bytes.count)
            return ByteBuffer(bytes: bytes)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(file: file, offset: offset, end: end)
    }
}
