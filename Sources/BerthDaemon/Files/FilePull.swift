import AsyncHTTPClient
import BerthHTTP
import ConfinedFiles
import Foundation
import HTTPTypes
import NIOCore

/// A file fetched from an http(s) URL into an instance's volume, as the file manager's "download from a
/// URL" asks. The tenant picks the URL, so it meets the install downloads' rules (``DownloadCheck``) at
/// every hop of its redirects, and each connection goes to the address that was checked, never to one a
/// second lookup returns. The file is streamed into a new file beside its place and put there only when
/// complete, and never grows past the room the instance's files have left. Messages name URLs without
/// their credentials and queries (a signed link's secret), since the panel may log them.
struct FilePull {
    let check: DownloadCheck

    /// Redirects followed before the pull is given up: more than any download site needs.
    static let maximumRedirects = 5

    /// Fetches `url` into `path` of `files`, refusing more than `room` bytes.
    func fetch(_ url: String, to path: String, in files: ConfinedDirectory, room: Int64) async throws {
        var current = url
        for _ in 0...Self.maximumRedirects {
            let destination: OutboundCheck.Destination
            do {
                destination = try await check.destination(of: current)
            } catch {
                throw APIError.badRequest("the file would come from \(URL.withoutSecrets(current)), \(error.reason)")
            }
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: destination.clientConfiguration(readTimeout: .seconds(60)))
            let redirect: String?
            do {
                redirect = try await download(destination.url, with: client, to: path, in: files, room: room)
            } catch {
                try? await client.shutdown()
                throw error
            }
            try? await client.shutdown()
            guard let redirect else { return }
            current = redirect
        }
        throw APIError(
            .badGateway,
            "\(URL.withoutSecrets(url)) redirects more than \(Self.maximumRedirects) times; the file was not fetched"
        )
    }

    /// Streams one answer into the file; the URL it redirects to instead, if it does.
    private func download(_ url: URL, with client: HTTPClient, to path: String, in files: ConfinedDirectory, room: Int64) async throws -> String? {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.headers.add(name: "User-Agent", value: "Berth")
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .hours(6))
        } catch {
            throw APIError(.badGateway, "\(url.withoutSecrets) could not be fetched: \(error)")
        }
        let status = Int(response.status.code)
        if [301, 302, 303, 307, 308].contains(status), let location = response.headers.first(name: "Location") {
            guard let next = URL(string: location, relativeTo: url)?.absoluteURL.absoluteString else {
                throw APIError(.badGateway, "\(url.withoutSecrets) redirects to \(location), which is not a URL")
            }
            return next
        }
        guard (200..<300).contains(status) else {
            throw APIError(.badGateway, "\(url.withoutSecrets) answered \(status) \(response.status.reasonPhrase); nothing was saved")
        }
        if let length = response.headers.first(name: "Content-Length").flatMap(Int64.init), length > room {
            throw APIError(.contentTooLarge, Self.tooLarge(url, room: room))
        }
        let writer = try files.beginWrite(to: path)
        do {
            for try await buffer in response.body {
                guard writer.written + Int64(buffer.readableBytes) <= room else {
                    throw APIError(.contentTooLarge, Self.tooLarge(url, room: room))
                }
                try buffer.withUnsafeReadableBytes { try writer.append($0) }
            }
        } catch let error as APIError {
            throw error
        } catch let error as ConfinedFileError {
            throw error
        } catch {
            throw APIError(.badGateway, "\(url.withoutSecrets) broke off after \(writer.written) bytes: \(error); nothing was saved")
        }
        try writer.commit()
        return nil
    }

    private static func tooLarge(_ url: URL, room: Int64) -> String {
        "\(url.withoutSecrets) is larger than the \(room >> 20) MiB the instance's files have room for; nothing was saved"
    }
}
